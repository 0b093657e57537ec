/**
 * The SCIM error schema (RFC 7644 §3.12): every failure on /scim/v2 is rendered here, with the
 * status as a string and a scimType where the RFC defines one. The client gets a plain reason; a
 * 5xx says nothing about the cause (that goes to the log).
 */
import { AppError } from '../shared/errors.js';
import { isDatabaseUnavailable } from '../db/errors.js';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export class ScimError extends Error {
  override readonly name = 'ScimError';
  constructor(
    readonly status: number,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export const invalidValue = (detail: string): ScimError => new ScimError(400, 'invalidValue', detail);
export const invalidSyntax = (detail: string): ScimError => new ScimError(400, 'invalidSyntax', detail);
export const invalidPath = (detail: string): ScimError => new ScimError(400, 'invalidPath', detail);
export const invalidFilter = (detail: string): ScimError => new ScimError(400, 'invalidFilter', detail);
export const mutability = (detail: string): ScimError => new ScimError(400, 'mutability', detail);
export const uniqueness = (detail: string): ScimError => new ScimError(409, 'uniqueness', detail);
export const notFound = (what: string, id: string): ScimError => new ScimError(404, undefined, `${what} ${id} not found`);

export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail: string;
}

export interface ScimErrorResponse {
  status: number;
  body: ScimErrorBody;
}

function body(status: number, detail: string, scimType?: ScimType): ScimErrorResponse {
  return { status, body: { schemas: [ERROR_SCHEMA], status: String(status), ...(scimType ? { scimType } : {}), detail } };
}

/** Any error (ours, the body parser's, the database's) as the SCIM error a client may see. */
export function toScimError(err: unknown): ScimErrorResponse {
  if (err instanceof ScimError) return body(err.status, err.detail, err.scimType);
  if (err instanceof AppError) {
    if (err.code === 'CONFLICT') return body(409, err.message, 'uniqueness');
    if (err.code === 'VALIDATION_FAILED') return body(400, err.message, 'invalidValue');
    if (err.status < 500) return body(err.status, err.message);
    if (err.code === 'DATABASE_UNAVAILABLE') return body(503, 'the database is unavailable; retry shortly');
    return body(500, 'internal error');
  }
  // A unique index lost a race with a concurrent create (userName, group displayName).
  if ((err as { code?: unknown }).code === 'P2002') return body(409, 'a resource with that unique attribute already exists', 'uniqueness');
  // A member deleted by a concurrent request between our check and the insert.
  if ((err as { code?: unknown }).code === 'P2003') return body(409, 'a referenced resource was deleted meanwhile; retry the request');
  const httpErr = err as { type?: unknown; status?: unknown; expose?: unknown };
  if (httpErr.type === 'entity.too.large') return body(413, 'request body too large');
  if (httpErr.type === 'entity.parse.failed') return body(400, 'request body is not valid JSON', 'invalidSyntax');
  if (httpErr.type === 'encoding.unsupported' || httpErr.type === 'charset.unsupported') return body(415, 'unsupported body encoding');
  if (typeof httpErr.status === 'number' && httpErr.status >= 400 && httpErr.status < 500 && httpErr.expose === true) {
    return body(httpErr.status, 'bad request');
  }
  if (isDatabaseUnavailable(err)) return body(503, 'the database is unavailable; retry shortly');
  return body(500, 'internal error');
}
