/**
 * API tokens (SPEC §6): a random secret shown once, stored as its SHA-256 only. Scopes: `admin`
 * (read/write admin API), `read` (GET only), `scim` (SCIM only).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/client.js';
import { ConflictError, NotFoundError } from '../shared/errors.js';

export type Scope = 'admin' | 'read' | 'scim';
export const SCOPES: readonly Scope[] = ['admin', 'read', 'scim'];

export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly scope: Scope;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

const PREFIX = 'allot_';

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export async function createToken(db: Db, name: string, scope: Scope, secret = generateSecret()): Promise<{ token: string; info: TokenInfo }> {
  const existing = await db.prisma.apiToken.findUnique({ where: { name } });
  if (existing) throw new ConflictError(`a token named ${name} already exists`, { name });
  const info = await db.prisma.apiToken.create({ data: { name, scope, hash: hashToken(secret) } });
  return { token: secret, info };
}

export async function listTokens(db: Db): Promise<TokenInfo[]> {
  return db.prisma.apiToken.findMany({ orderBy: { name: 'asc' }, omit: { hash: true } });
}

export async function revokeToken(db: Db, name: string, now: Date): Promise<TokenInfo> {
  const row = await db.prisma.apiToken.findUnique({ where: { name } });
  if (!row) throw new NotFoundError('token', name);
  const { hash: _hash, ...info } = await db.prisma.apiToken.update({ where: { name }, data: { revokedAt: row.revokedAt ?? now } });
  return info;
}

/**
 * The live token whose secret (generated ones start with allot_, bootstrap ones are whatever the
 * deployment chose) this is, or null. The look-up is by hash and the stored hash is
 * compared again in constant time, so response timing says nothing about the secret.
 */
export async function findToken(db: Db, secret: string): Promise<TokenInfo | null> {
  if (secret.length > 512) return null;
  const hash = hashToken(secret);
  const row = await db.prisma.apiToken.findUnique({ where: { hash } });
  if (!row || row.revokedAt) return null;
  if (!timingSafeEqual(Buffer.from(row.hash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  return row;
}

/** Seeds ALLOT_BOOTSTRAP_<SCOPE>_TOKEN secrets as tokens named `bootstrap-<scope>` (idempotent). */
export async function seedBootstrapToken(db: Db, scope: Scope, secret: string): Promise<void> {
  const name = `bootstrap-${scope}`;
  const hash = hashToken(secret);
  await db.prisma.apiToken.upsert({ where: { name }, create: { name, scope, hash }, update: { scope, hash, revokedAt: null } });
}
