/**
 * bin/allot.js, the installed `allot` command: `allot redistribute` runs the job in a second Node
 * process whose heap is capped (ALLOT_JOB_HEAP_MB), and passes its output and exit code on. Runs
 * the compiled CLI in dist/ (built by `npm ci`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client.js';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/allot.js');
let dir: string;

function allot(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', ALLOT_DATA_DIR: dir, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'allot-launcher-'));
  const db = await createDb({ dataDir: dir });
  try {
    await seedLicenses(db, specLicenses(0, { 'bot-creator': 1 }));
    await seedMapping(db, { idpGroup: 'BC', licenses: ['bot-creator'] });
    await seedUser(db, 'a@x', ['BC']);
  } finally {
    await db.close();
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bin/allot.js redistribute', { timeout: 120_000 }, () => {
  it('runs the job in a heap-capped process and passes its output and exit code on', async () => {
    const r = await allot(['redistribute', '--dry-run', '--json'], {});
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe('succeeded');
  });

  it('applies ALLOT_JOB_HEAP_MB: a heap too small for the job ends it with a failing exit code', async () => {
    const r = await allot(['redistribute', '--dry-run', '--json'], { ALLOT_JOB_HEAP_MB: '8' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/heap out of memory/);
  });

  it('ALLOT_JOB_HEAP_MB=0 runs the job in the same process, with Node\'s default heap', async () => {
    const r = await allot(['redistribute', '--dry-run', '--json'], { ALLOT_JOB_HEAP_MB: '0' });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe('succeeded');
  });

  it('passes a refused command\'s exit code on', async () => {
    const r = await allot(['redistribute', '--batch-size', 'zero'], {});
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--batch-size must be a positive integer/);
  });
});
