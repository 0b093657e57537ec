import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../../src/db/client.js';
import { findToken } from '../../../src/auth/tokens.js';
import { seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
const env = () => ({ ALLOT_DATA_DIR: dir });

async function withDb<T>(fn: (db: Awaited<ReturnType<typeof createDb>>) => Promise<T>): Promise<T> {
  const db = await createDb({ dataDir: dir });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'allot-cli-admin-'));
  await withDb(async (db) => {
    await seedLicenses(db, specLicenses(5));
    await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] });
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('allot token', () => {
  let secret: string;

  it('create prints the secret once on stdout; only its hash is stored', async () => {
    const r = await runCli(['token', 'create', '--name', 'ci', '--scope', 'read'], env());
    expect(r.code).toBe(0);
    secret = r.stdout.trim();
    expect(secret).toMatch(/^allot_[A-Za-z0-9_-]{43}$/);
    expect(r.stderr).toContain('cannot be shown again');
    await withDb(async (db) => {
      expect(await findToken(db, secret)).toMatchObject({ name: 'ci', scope: 'read' });
      expect(JSON.stringify(await db.prisma.apiToken.findMany())).not.toContain(secret);
    });
  });

  it('list shows names and scopes, never secrets', async () => {
    const r = await runCli(['token', 'list'], env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+SCOPE\s+CREATED\s+LAST USED\s+STATUS/);
    expect(r.stdout).toMatch(/\nci\s+read\s+.*active/);
    expect(r.stdout).not.toContain(secret);
  });

  it('revoke stops the token; a second create with a bad scope is refused with one line', async () => {
    expect((await runCli(['token', 'revoke', 'ci'], env())).stdout.trim()).toBe('Token ci revoked.');
    await withDb(async (db) => expect(await findToken(db, secret)).toBeNull());
    const bad = await runCli(['token', 'create', '--name', 'x', '--scope', 'root'], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toMatch(/^allot: --scope: /);
  });
});

describe('allot mappings', () => {
  it('export writes an importable document', async () => {
    const file = path.join(dir, 'out.json');
    const r = await runCli(['mappings', 'export', file], env());
    expect(r.code).toBe(0);
    const doc = JSON.parse(await readFile(file, 'utf8'));
    expect(doc).toMatchObject({ version: 1, mappings: [{ idpGroup: 'Dev1', licenses: ['citizen-developer', 'process-discovery'] }] });
  });

  it('import reports every problem and writes nothing', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ mappings: [{ idpGroup: 'A', licenses: ['nope'] }, { idpGroup: 'A' }] }));
    const r = await runCli(['mappings', 'import', file], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mappings.0.licenses.0: unknown license nope');
    expect(r.stderr).toContain('mappings.1.idpGroup: idpGroup A is also mapping 0');
    expect(r.stderr).toContain('nothing was written');
    await withDb(async (db) => expect((await db.prisma.groupMapping.findMany()).map((m) => m.idpGroup)).toEqual(['Dev1']));
  });

  it('import --dry-run reports without writing, then import applies', async () => {
    const file = path.join(dir, 'new.json');
    await writeFile(file, JSON.stringify({ mappings: [{ idpGroup: 'Dev2', licenses: ['attended-bot-runner'] }] }));
    const dry = await runCli(['mappings', 'import', file, '--dry-run'], env());
    expect(dry.stdout).toContain('Dry run: 1 to create, 0 to update, 1 to delete, 0 unchanged.');
    const real = await runCli(['mappings', 'import', file], env());
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('Imported: 1 to create, 0 to update, 1 to delete');
    await withDb(async (db) => expect((await db.prisma.groupMapping.findMany()).map((m) => m.idpGroup)).toEqual(['Dev2']));
  });

  it('import of a missing file fails with one line', async () => {
    const r = await runCli(['mappings', 'import', path.join(dir, 'missing.json')], env());
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^allot: .*missing\.json: no such file$/);
  });
});
