/**
 * Request and response shapes of the admin API (SPEC §6 stable interface). Requests are strict:
 * an unknown field is a 400 naming it, so a typo never silently does nothing.
 */
import { z } from 'zod';
import { policySchema } from '../allocation/settings.js';

export const licenseKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 characters: lower-case letters, digits, ".", "_" or "-"')
  .meta({ example: 'bot-creator' });
const name = z.string().trim().min(1).max(200);
const role = z.string().trim().min(1).max(200);
const seats = z.int().min(0).max(1_000_000_000);
const confirm = z.boolean().optional().meta({ description: 'Accept a change that leaves no active user with an admin role' });

export const keyParams = z.strictObject({ key: licenseKey });
export const idParams = z.strictObject({ id: z.string().min(1).max(512) });
export const uuidParams = z.strictObject({ id: z.uuid() });
export const userLicenseParams = z.strictObject({ id: z.string().min(1).max(512), key: licenseKey });

export const licenseBody = z
  .strictObject({
    name,
    kind: z.enum(['primary', 'addon']),
    capacity: seats,
    force: z.boolean().optional().meta({ description: 'Below the seats in use: reclaim seats and start a redistribution' }),
  })
  .meta({ id: 'LicenseInput' });

export const licenseView = z
  .object({ key: z.string(), name: z.string(), kind: z.enum(['primary', 'addon']), capacity: z.int(), used: z.int(), free: z.int() })
  .meta({ id: 'License' });

export const preferenceOrderBody = z.strictObject({ order: z.array(licenseKey).max(100) }).meta({ id: 'PreferenceOrder' });

export { policySchema };
export const policyBody = policySchema.extend({ confirm }).meta({ id: 'PolicyInput' });
export const policyView = z
  .object({
    adminRoles: z.array(z.string()),
    adminLicense: z.string(),
    fallbackToNextPreference: z.boolean(),
    jit: z.object({ redistributeManual: z.boolean(), denyUnmapped: z.boolean(), reactivateOnLogin: z.boolean() }),
  })
  .meta({ id: 'Policy' });

const mappingFields = {
  idpGroup: z.string().min(1).max(512).meta({ description: 'Exact group string the IdP sends (name or object id)' }),
  description: z.string().max(2000),
  roles: z.array(role).max(100),
  licenses: z.array(licenseKey).max(50).meta({ description: 'At most one primary, any add-ons' }),
  autoProvision: z.boolean(),
  enabled: z.boolean(),
  caseInsensitive: z.boolean(),
};

export const mappingInput = z
  .strictObject({
    idpGroup: mappingFields.idpGroup,
    description: mappingFields.description.default(''),
    roles: mappingFields.roles.default([]),
    licenses: mappingFields.licenses.default([]),
    autoProvision: mappingFields.autoProvision.default(false),
    enabled: mappingFields.enabled.default(true),
    caseInsensitive: mappingFields.caseInsensitive.default(false),
  })
  .meta({ id: 'MappingInput' });
export type MappingInput = z.infer<typeof mappingInput>;

export const mappingCreateBody = mappingInput.extend({ confirm });
export const mappingPatch = z
  .strictObject({
    idpGroup: mappingFields.idpGroup.optional(),
    description: mappingFields.description.optional(),
    roles: mappingFields.roles.optional(),
    licenses: mappingFields.licenses.optional(),
    autoProvision: mappingFields.autoProvision.optional(),
    enabled: mappingFields.enabled.optional(),
    caseInsensitive: mappingFields.caseInsensitive.optional(),
  })
  .meta({ id: 'MappingPatch' });
export type MappingPatch = z.infer<typeof mappingPatch>;
export const mappingPatchBody = mappingPatch.extend({ confirm });
export const confirmQuery = z.strictObject({ confirm: z.enum(['true', 'false']).optional() });

export const mappingView = z
  .object({ id: z.uuid(), ...mappingFields, createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() })
  .meta({ id: 'Mapping' });

/** The export file: importing it as is restores the same set. */
export const mappingExport = z.object({ version: z.literal(1), exportedAt: z.iso.datetime(), mappings: z.array(mappingInput) }).meta({ id: 'MappingExport' });

export const mappingImportBody = z
  .strictObject({
    version: z.literal(1).optional(),
    exportedAt: z.string().max(64).optional(),
    mappings: z.array(mappingInput).max(10_000),
    mode: z.enum(['replace', 'merge']).default('replace').meta({ description: 'replace: mappings absent from the file are deleted' }),
    dryRun: z.boolean().default(false),
    confirm,
  })
  .meta({ id: 'MappingImport' });
export type MappingImport = z.infer<typeof mappingImportBody>;

export const importReport = z
  .object({
    applied: z.boolean(),
    problems: z.array(z.object({ index: z.int().optional(), path: z.string(), message: z.string() })),
    summary: z.object({ create: z.int(), update: z.int(), delete: z.int(), unchanged: z.int() }),
    affectedUsers: z.int(),
  })
  .meta({ id: 'ImportReport' });

export const mappingChange = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('create'), mapping: mappingInput }),
  z.strictObject({ op: z.literal('update'), id: z.uuid(), patch: mappingPatch }),
  z.strictObject({ op: z.literal('delete'), id: z.uuid() }),
]);
export type MappingChange = z.infer<typeof mappingChange>;

export const previewBody = z
  .strictObject({
    mappings: z.array(mappingInput).max(10_000).optional().meta({ description: 'A full proposed mapping set' }),
    change: mappingChange.optional().meta({ description: 'Or a single create, update or delete' }),
    capacity: z.record(licenseKey, seats).optional(),
    preferenceOrder: z.array(licenseKey).max(100).optional(),
    policy: policySchema.optional(),
    redistributeManual: z.boolean().default(false),
  })
  .refine((b) => !(b.mappings && b.change), { message: 'give either mappings or change, not both', path: ['change'] })
  .meta({ id: 'PreviewInput' });
export type PreviewInput = z.infer<typeof previewBody>;

const held = z.object({ key: z.string(), origin: z.enum(['mapping', 'manual']) });
export const previewView = z
  .object({
    users: z.array(
      z.object({ id: z.string(), nameId: z.string(), reason: z.string(), before: z.array(held), after: z.array(held), missing: z.array(z.string()) }),
    ),
    licenses: z.array(z.object({ key: z.string(), capacity: z.int(), usedBefore: z.int(), usedAfter: z.int(), acquired: z.int(), released: z.int() })),
    noLicense: z.array(z.object({ id: z.string(), nameId: z.string(), reason: z.string() })),
    summary: z.object({
      users: z.int(),
      changed: z.int(),
      noLicense: z.int(),
      adminsBefore: z.int(),
      adminsAfter: z.int(),
      reasons: z.record(z.string(), z.int()).meta({ description: 'Users per reason code of their decision' }),
    }),
  })
  .meta({ id: 'Preview' });

const boolString = z.enum(['true', 'false']).transform((v) => v === 'true');
const limit = z.coerce.number().int().min(1).max(500).default(50);
const cursor = z.string().max(512).optional();

export const usersQuery = z.strictObject({
  nameId: z.string().max(512).optional().meta({ description: 'Case-insensitive substring of the nameId' }),
  role: role.optional(),
  license: licenseKey.optional(),
  active: boolString.optional(),
  reason: z.string().max(64).optional(),
  cursor,
  limit,
});

export const userView = z
  .object({
    id: z.uuid(),
    nameId: z.string(),
    email: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    externalId: z.string().nullable(),
    active: z.boolean(),
    roles: z.array(z.string()),
    groups: z.array(z.string()),
    memberships: z.array(z.object({ group: z.string(), source: z.enum(['saml', 'scim']) })),
    licenses: z.array(held),
    lastReason: z.string().nullable(),
    waitingSince: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export const userPage = z.object({ items: z.array(userView), nextCursor: z.string().nullable() }).meta({ id: 'UserPage' });

export const assignBody = z.strictObject({ key: licenseKey });
export const deactivateBody = z.strictObject({ confirm }).optional();

export const explainView = z
  .object({
    reason: z.string(),
    trace: z.unknown(),
    roles: z.array(z.string()),
    target: z.array(z.string()),
    last: z.object({ reason: z.string().nullable(), trace: z.unknown(), decidedAt: z.iso.datetime().nullable() }).nullable(),
  })
  .meta({ id: 'Explanation' });

export const auditQuery = z.strictObject({
  actor: z.string().max(512).optional(),
  user: z.string().max(512).optional().meta({ description: 'User id or nameId' }),
  action: z.string().max(128).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor,
  limit,
});
export const auditView = z
  .object({
    id: z.string(),
    at: z.iso.datetime(),
    actor: z.string(),
    action: z.string(),
    userId: z.string().nullable(),
    subject: z.string().nullable(),
    reason: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  })
  .meta({ id: 'AuditEvent' });
export const auditPage = z.object({ items: z.array(auditView), nextCursor: z.string().nullable() }).meta({ id: 'AuditPage' });

export const tokenName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters: letters, digits, ".", "_" or "-"');
export const tokenBody = z.strictObject({ name: tokenName, scope: z.enum(['admin', 'read', 'scim']) });
export const tokenParams = z.strictObject({ name: tokenName });
export const tokenView = z
  .object({
    id: z.uuid(),
    name: z.string(),
    scope: z.enum(['admin', 'read', 'scim']),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Token' });
export const createdTokenView = tokenView.extend({ token: z.string().meta({ description: 'The secret, shown this once' }) }).meta({ id: 'CreatedToken' });
