/** Schema URNs (RFC 7643 §8.7) and the attribute names we know on each resource. */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
/** Entra adds this to the schemas of a Group it creates; it carries nothing we read. */
export const ENTRA_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/Group';
export const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';

/** User attributes we store (lower-cased; SCIM attribute names are case-insensitive). */
export const USER_STORED = ['id', 'username', 'externalid', 'name', 'displayname', 'emails', 'active', 'groups', 'meta', 'schemas'] as const;

/**
 * Core and enterprise User attributes Entra's and Okta's default mappings send that allot has no
 * use for: accepted and dropped, so a default provisioning setup works. Anything else is unknown
 * and refused (400), so a typo never silently vanishes.
 */
export const USER_IGNORED = [
  'nickname',
  'profileurl',
  'title',
  'usertype',
  'preferredlanguage',
  'locale',
  'timezone',
  'password',
  'phonenumbers',
  'ims',
  'photos',
  'addresses',
  'entitlements',
  'roles',
  'x509certificates',
] as const;

export const GROUP_STORED = ['id', 'displayname', 'externalid', 'members', 'meta', 'schemas'] as const;
