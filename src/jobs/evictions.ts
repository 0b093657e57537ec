/**
 * Lowering a capacity during a redistribution (the admin API's forced cut): the youngest holders
 * of the licence give their seat back, mapping-origin rows before manual ones (compareEviction in
 * plan-redistribution.ts), one batch per transaction. The pool's capacity follows the seats down
 * in the same statement (never below the target), so a login cannot take a seat freed meanwhile,
 * and CHECK (used <= capacity) holds at every commit.
 */
import { Prisma } from '../generated/prisma/client.js';
import type { HeldLicense } from '../domain/index.js';
import { releaseStep, withoutRows } from '../domain/plan-redistribution.js';
import { countEviction } from '../domain/plan-totals.js';
import { ledgerRelease, unlimitedPools } from '../domain/seat-ledger.js';
import { loadPage } from './batch-load.js';
import { BatchWrites, writeBatch } from './batch-write.js';
import type { BatchEnv } from './redistribution-batch.js';

/** Evicts up to one batch of holders of `key`; true once the pool fits `target`. */
export async function evictBatch(env: BatchEnv, key: string, target: number): Promise<boolean> {
  return env.dry ? evictDry(env, key, target) : evictReal(env, key, target);
}

async function evictReal(env: BatchEnv, key: string, target: number): Promise<boolean> {
  const { tx } = env;
  const [pool] = await tx.$queryRaw<{ used: number }[]>`SELECT used FROM license WHERE key = ${key}`;
  if (!pool) return true;
  const over = pool.used - target;
  if (over <= 0) {
    const n = await tx.$executeRaw`UPDATE license SET capacity = ${target}, updated_at = ${env.now} WHERE key = ${key} AND used <= ${target}`;
    return n === 1; // else a login took a seat since the read: go round again
  }
  const ids = await candidates(env, key, Math.min(over, env.limit), 0);
  if (ids.length === 0) return true;
  const users = await loadPage(tx, Prisma.sql`u.id = ANY(${ids}::uuid[])`, null, ids.length, true);
  const w = new BatchWrites();
  for (const u of users) {
    const row = u.current.find((r) => r.key === key);
    if (!row) continue;
    w.release(u.id, [row]);
    countEviction(env.summary.totals, [row]);
    w.audits.push({
      action: 'redistribution.evict',
      userId: u.id,
      subject: u.nameId,
      reason: null,
      before: u.current,
      after: withoutRows(u.current, [row]),
      trace: null,
    });
  }
  await writeBatch(tx, w, env.actor, env.now, false);
  await tx.$executeRaw`UPDATE license SET capacity = GREATEST(${target}, used) WHERE key = ${key}`;
  return false;
}

/** Holders of `key` in eviction order, youngest first, mapping rows before manual ones. */
async function candidates(env: BatchEnv, key: string, limit: number, offset: number): Promise<string[]> {
  const rows = await env.tx.$queryRaw<{ id: string }[]>`
    SELECT a.user_id::text AS id FROM allocation a JOIN app_user u ON u.id = a.user_id
    WHERE a.license_key = ${key}
    ORDER BY (a.origin = 'manual'), u.created_at DESC, u.id DESC
    LIMIT ${limit} OFFSET ${offset}`;
  return rows.map((r) => r.id);
}

/**
 * A dry run evicts in memory: it walks the same order and skips rows the (unwritten) release step
 * would already have given back, so it picks the rows the real run would. Runs in one go.
 */
async function evictDry(env: BatchEnv, key: string, target: number): Promise<boolean> {
  const dry = env.dry!;
  const unlimited = unlimitedPools(dry.ledger);
  for (let offset = 0; ; offset += env.limit) {
    const pool = dry.ledger.get(key);
    if (!pool || pool.used <= target) break;
    const ids = await candidates(env, key, env.limit, offset);
    if (ids.length === 0) break;
    const users = await loadPage(env.tx, Prisma.sql`u.id = ANY(${ids}::uuid[])`, null, ids.length, false);
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const id of ids) {
      const u = byId.get(id);
      const left = dry.ledger.get(key);
      if (!u || !left || left.used <= target) continue;
      const early = releaseStep(env.ctx, u, env.redistributeManual, unlimited);
      const row = withoutRows(u.current, early).find((r) => r.key === key);
      if (!row) continue;
      const evicted: HeldLicense[] = dry.evicted.get(u.id) ?? [];
      evicted.push(row);
      dry.evicted.set(u.id, evicted);
      ledgerRelease(dry.ledger, [row]);
      countEviction(env.summary.totals, [row]);
    }
  }
  const pool = dry.ledger.get(key);
  if (pool) dry.ledger.set(key, { ...pool, capacity: target });
  return true;
}
