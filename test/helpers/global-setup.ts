import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrate, pgRunner } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgTemplate: string | null;
    /** Where the run's migrated PGlite data-dir dump is (made by the first test that needs it). */
    pgliteSnapshot: string | null;
  }
}

/**
 * With TEST_DATABASE_URL, migrates one template database for the run; every test file then
 * gets its own database cloned from it (fast) and drops it at the end.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) {
    project.provide('pgTemplate', null);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'allot-pglite-'));
    project.provide('pgliteSnapshot', path.join(dir, 'migrated.tar'));
    return async () => rmSync(dir, { recursive: true, force: true });
  }
  project.provide('pgliteSnapshot', null);
  const template = `allot_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${template}"`);
  const target = new URL(url);
  target.pathname = `/${template}`;
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  try {
    await migrate(pgRunner(client));
  } finally {
    await client.end();
  }
  project.provide('pgTemplate', template);
  // Not kept open for the run: a PostgreSQL restart (reliability suite, ALLOT_TEST_PG_RESTART=1)
  // would kill it, and an idle client's 'error' event would crash the runner.
  await admin.end();
  return async () => {
    const drop = new pg.Client({ connectionString: url });
    await drop.connect();
    try {
      await drop.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`);
    } finally {
      await drop.end();
    }
  };
}
