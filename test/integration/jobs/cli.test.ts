/**
 * `allot redistribute` and `allot check` as an operator runs them, on the embedded database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client.js';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { runCli } from '../../helpers/cli.js';
import { give } from './helpers.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'allot-redistribute-'));
  const db = await createDb({ dataDir: dir });
  try {
    await seedLicenses(db, specLicenses(0, { 'bot-creator': 1, 'citizen-developer': 1 }));
    await seedMapping(db, { idpGroup: 'BC', licenses: ['bot-creator'] });
    await seedMapping(db, { idpGroup: 'CD', licenses: ['citizen-developer'] });
    const a = await seedUser(db, 'a@x', ['CD'], { createdAt: new Date('2026-01-01T00:00:00Z') });
    const b = await seedUser(db, 'b@x', ['BC'], { createdAt: new Date('2026-01-02T00:00:00Z') });
    await give(db, a, 'bot-creator');
    await give(db, b, 'citizen-developer');
  } finally {
    await db.close();
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('allot redistribute', { timeout: 240_000 }, () => {
  it('--dry-run --json prints the diff and writes nothing', async () => {
    const r = await runCli(['redistribute', '--dry-run', '--json'], { ALLOT_DATA_DIR: dir });
    expect(r.code).toBe(0);
    const job = JSON.parse(r.stdout) as { status: string; summary: { dryRun: boolean; diff: { nameId: string; after: { key: string }[] }[] } };
    expect(job.status).toBe('succeeded');
    expect(job.summary.dryRun).toBe(true);
    expect(job.summary.diff.map((d) => [d.nameId, d.after.map((x) => x.key)])).toEqual([
      ['a@x', ['citizen-developer']],
      ['b@x', ['bot-creator']],
    ]);
    const check = await runCli(['explain', 'a@x', '--json'], { ALLOT_DATA_DIR: dir });
    expect((JSON.parse(check.stdout) as { holds: { key: string }[] }).holds).toEqual([{ key: 'bot-creator', origin: 'mapping' }]);
  });

  it('refuses two scopes at once with one line', async () => {
    const r = await runCli(['redistribute', '--role', 'X', '--user', 'a@x'], { ALLOT_DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('allot: choose one of --role, --mapping, --user (got --role, --user)');
  });

  it('runs the swap with plain progress lines and a summary table, then check passes', async () => {
    const r = await runCli(['redistribute', '--batch-size', '1'], { ALLOT_DATA_DIR: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^done: 2\/2 users$/m);
    expect(r.stdout).toMatch(/Redistribution [0-9a-f-]{36}: succeeded/);
    expect(r.stdout).toMatch(/ALLOCATED\s+2/);
    expect(r.stdout).toMatch(/bot-creator\s+1\s+1\s+1\s+\+1\s+-1/);
    const check = await runCli(['check'], { ALLOT_DATA_DIR: dir });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('ok: the invariants hold');
  });

  it('check exits 1 with a report when an invariant is broken', async () => {
    const db = await createDb({ dataDir: dir });
    try {
      await db.prisma.$executeRawUnsafe(`UPDATE license SET used = 0 WHERE key = 'bot-creator'`);
    } finally {
      await db.close();
    }
    const check = await runCli(['check'], { ALLOT_DATA_DIR: dir });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('USED_MATCHES_ROWS  bot-creator: used 0 but 1 allocation rows');
  });
});
