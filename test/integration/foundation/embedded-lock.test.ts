import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { startServe, type ServeProcess } from '../../helpers/serve.js';

// PGlite corrupts a data directory opened by two processes; the lock file makes the second
// refuse. These run real processes on a real data directory, whatever TEST_DATABASE_URL says.
describe('the embedded database is opened by one process at a time', () => {
  let dir: string;
  let server: ServeProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'allot-lock-'));
    server = await startServe({ ALLOT_DATA_DIR: dir });
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('records the running server in the lock file', async () => {
    const lock = JSON.parse(await readFile(path.join(dir, 'allot.lock'), 'utf8')) as { pid: number; command: string };
    expect(lock.pid).toBe(server!.child.pid);
    expect(lock.command).toMatch(/^allot serve/);
  });

  it('refuses `allot migrate` while the server holds it, saying what to do', async () => {
    const result = await runCli(['migrate'], { ALLOT_DATA_DIR: dir, DATABASE_URL: '' });
    expect(result.code).toBe(1);
    const message = result.stderr.trim();
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toContain(`in use by process ${String(server!.child.pid)}`);
    expect(message).toContain('Stop that process first');
    expect(message).toContain('send the request to the running server');
    expect(message).toContain('DATABASE_URL');
  });

  it('keeps the server answering after the refusal', async () => {
    const res = await fetch(`http://127.0.0.1:${String(server!.port)}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', database: 'pglite' });
  });

  it('is released when the server stops on SIGTERM, and the next command gets in', async () => {
    expect(await server!.stop()).toBe(0);
    server = undefined;
    expect(existsSync(path.join(dir, 'allot.lock'))).toBe(false);
    const result = await runCli(['migrate'], { ALLOT_DATA_DIR: dir, DATABASE_URL: '' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('pglite database is up to date');
    expect(result.code).toBe(0);
  });
});

describe('a lock left by a process that died', () => {
  it('is taken over', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'allot-stale-'));
    try {
      const dead = spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!;
      await writeFile(path.join(dir, 'allot.lock'), JSON.stringify({ pid: dead, command: 'allot serve', startedAt: new Date(0).toISOString() }));
      const result = await runCli(['migrate'], { ALLOT_DATA_DIR: dir, DATABASE_URL: '' });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(existsSync(path.join(dir, 'allot.lock'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
