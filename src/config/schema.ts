import { z } from 'zod';

const pem = z.string().min(1);

const samlSchema = z.strictObject({
  sp: z.strictObject({
    /** Defaults to `${publicUrl}/saml/metadata`. */
    entityId: z.string().min(1).optional(),
    /** Key (PEM or path) to decrypt EncryptedAssertion, and its certificate for the SP metadata. */
    decryptionKey: pem.optional(),
    decryptionCert: pem.optional(),
  }),
  idp: z.strictObject({
    entityId: z.string().min(1).optional(),
    ssoUrl: z.url().optional(),
    /** PEM strings or paths to PEM files; several may be valid at once (rollover). */
    certs: z.array(pem).default([]),
    /** IdP metadata XML file (URL-free): fills entityId, ssoUrl and certs. */
    metadataFile: z.string().min(1).optional(),
  }),
  groupAttribute: z.string().min(1).default('SecurityGroups'),
  maxBodyBytes: z.int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  clockSkewMs: z.int().min(0).max(10 * 60 * 1000).default(60_000),
  rateLimit: z
    .strictObject({
      windowMs: z.int().min(1000).default(60_000),
      max: z.int().min(1).default(300),
    })
    .default({ windowMs: 60_000, max: 300 }),
});

export const configSchema = z.strictObject({
  env: z.enum(['development', 'test', 'production']),
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65535).default(3000),
  publicUrl: z.url(),
  database: z.strictObject({
    url: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
    dataDir: z.string().min(1).default('./data'),
    poolSize: z.int().min(1).max(200).default(10),
    transactionTimeoutMs: z.int().min(100).default(15_000),
  }),
  log: z.strictObject({
    level: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
    format: z.enum(['json', 'pretty']).optional(),
  }),
  saml: samlSchema,
  session: z.strictObject({ ttlHours: z.number().positive().max(24 * 30).default(8) }),
  jobs: z.strictObject({
    batchSize: z.int().min(1).max(100_000).default(500),
    /** Cron expression for a scheduled full redistribution, e.g. "0 2 * * *". */
    schedule: z.string().min(1).optional(),
    /** A running job whose heartbeat is older than this is presumed dead and resumed. */
    staleAfterMs: z.int().min(100).default(60_000),
    /** How often each instance looks for stale jobs to resume. */
    pollIntervalMs: z.int().min(100).default(15_000),
  }),
  demo: z.strictObject({ enabled: z.boolean().default(true) }),
  scim: z
    .strictObject({
      /** Cap on a SCIM request body (a 10,000-member group PUT is about 600 KB). */
      maxBodyBytes: z.int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
      /** Cap on `count` per page (ServiceProviderConfig filter.maxResults). */
      maxResults: z.int().min(1).max(10_000).default(200),
      /** Users a group change re-decides before answering; more go to a `scim.members` job. */
      inlineMembers: z.int().min(0).max(100_000).default(200),
    })
    .prefault({}),
  admin: z
    .strictObject({
      /** Roles that may read, but not change, the admin page and API through a browser session. */
      readOnlyRoles: z.array(z.string().min(1)).default(['AAE_Auditor']),
    })
    .default({ readOnlyRoles: ['AAE_Auditor'] }),
  bootstrap: z.strictObject({
    adminToken: z.string().min(24, 'must be at least 24 characters').optional(),
    scimToken: z.string().min(24, 'must be at least 24 characters').optional(),
  }),
});

export type Config = z.infer<typeof configSchema>;
