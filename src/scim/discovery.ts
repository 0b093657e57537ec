/**
 * Discovery endpoints (RFC 7644 §4): ServiceProviderConfig, Schemas, ResourceTypes. They describe
 * what allot really supports: PATCH yes, bulk/sort/etag/password change no, filter with a cap.
 */
import { notFound } from './errors.js';
import { GROUP_SCHEMA, LIST_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA, SPC_SCHEMA, USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from './schemas.js';
import type { ScimResponse } from './http-types.js';

type Attr = Record<string, unknown>;

function attr(name: string, type: string, extra: Attr = {}): Attr {
  return {
    name,
    type,
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...extra,
  };
}

const userAttributes: Attr[] = [
  attr('userName', 'string', { required: true, uniqueness: 'server' }),
  attr('externalId', 'string', { caseExact: true }),
  attr('name', 'complex', { subAttributes: [attr('givenName', 'string'), attr('familyName', 'string'), attr('formatted', 'string')] }),
  attr('displayName', 'string'),
  attr('emails', 'complex', { multiValued: true, subAttributes: [attr('value', 'string'), attr('type', 'string'), attr('primary', 'boolean')] }),
  attr('active', 'boolean'),
  attr('groups', 'complex', {
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [attr('value', 'string', { mutability: 'readOnly' }), attr('display', 'string', { mutability: 'readOnly' })],
  }),
];

const groupAttributes: Attr[] = [
  attr('displayName', 'string', { required: true, uniqueness: 'server' }),
  attr('externalId', 'string', { caseExact: true }),
  attr('members', 'complex', {
    multiValued: true,
    subAttributes: [attr('value', 'string', { mutability: 'immutable' }), attr('display', 'string', { mutability: 'readOnly' }), attr('type', 'string')],
  }),
];

function schemaDoc(base: string, id: string, name: string, attributes: Attr[]): Attr {
  return { schemas: [SCHEMA_SCHEMA], id, name, description: `${name} as allot stores it`, attributes, meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` } };
}

function schemas(base: string): Attr[] {
  return [schemaDoc(base, USER_SCHEMA, 'User', userAttributes), schemaDoc(base, GROUP_SCHEMA, 'Group', groupAttributes)];
}

function resourceTypes(base: string): Attr[] {
  return [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: USER_SCHEMA,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function serviceProviderConfig(base: string, maxResults: number): ScimResponse {
  return {
    status: 200,
    body: {
      schemas: [SPC_SCHEMA],
      documentationUri: 'https://datatracker.ietf.org/doc/html/rfc7644',
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken', name: 'OAuth Bearer Token', description: 'A token with scope scim', primary: true }],
      meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
    },
  };
}

function listOrOne(all: Attr[], id: string | undefined, what: string): ScimResponse {
  if (id === undefined) return { status: 200, body: { schemas: [LIST_SCHEMA], totalResults: all.length, itemsPerPage: all.length, startIndex: 1, Resources: all } };
  const one = all.find((d) => d['id'] === id);
  if (!one) throw notFound(what, id);
  return { status: 200, body: one };
}

export const schemasResponse = (base: string, id?: string): ScimResponse => listOrOne(schemas(base), id, 'schema');
export const resourceTypesResponse = (base: string, id?: string): ScimResponse => listOrOne(resourceTypes(base), id, 'resource type');
