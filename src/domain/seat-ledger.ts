/**
 * Seat counts while a redistribution moves seats (SPEC §3): a mutable copy of the pools that each
 * decision updates, so the next user is decided against the seats the previous ones left.
 */
import type { Decision, HeldLicense, Pool } from './types.js';

export type SeatLedger = Map<string, Pool>;

/** A private copy of `pools`: the ledger may be updated without touching the caller's map. */
export function createLedger(pools: ReadonlyMap<string, Pool>): SeatLedger {
  return new Map(pools);
}

/** Frees one seat per row whose key has a pool. */
export function ledgerRelease(ledger: SeatLedger, rows: readonly HeldLicense[]): void {
  for (let i = 0; i < rows.length; i++) adjust(ledger, (rows[i] as HeldLicense).key, -1);
}

/** Applies one decision: its released rows give seats back, its acquired keys take one each. */
export function ledgerApply(ledger: SeatLedger, decision: Pick<Decision, 'release' | 'acquire'>): void {
  ledgerRelease(ledger, decision.release);
  for (let i = 0; i < decision.acquire.length; i++) adjust(ledger, decision.acquire[i] as string, 1);
}

/** Sets a pool's capacity (a lowered capacity applied by the run). */
export function ledgerSetCapacity(ledger: SeatLedger, key: string, capacity: number): void {
  const pool = ledger.get(key);
  if (pool !== undefined) ledger.set(key, { ...pool, capacity });
}

/**
 * Pools where every licence that exists has a seat for everyone: what a user would be given if no
 * seat were contended (the release pass of SPEC §3). A key without a pool stays absent.
 */
export function unlimitedPools(pools: ReadonlyMap<string, Pool>): ReadonlyMap<string, Pool> {
  const out = new Map<string, Pool>();
  for (const pool of pools.values()) out.set(pool.key, { key: pool.key, kind: pool.kind, capacity: Number.MAX_SAFE_INTEGER, used: 0 });
  return out;
}

function adjust(ledger: SeatLedger, key: string, delta: number): void {
  const pool = ledger.get(key);
  if (pool === undefined) return;
  ledger.set(key, { key: pool.key, kind: pool.kind, capacity: pool.capacity, used: pool.used + delta });
}
