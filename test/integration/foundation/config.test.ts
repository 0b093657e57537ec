import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config/index.js';
import { CONFIG_DIR } from '../../../src/main.js';
import { runCli } from '../../helpers/cli.js';

let dir: string;
let extraFile: string;

/** A config directory whose layers each set `port` to a value naming the layer. */
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'allot-config-'));
  const base = JSON.parse(await readFile(path.join(CONFIG_DIR, 'default.json'), 'utf8')) as object;
  await writeFile(path.join(dir, 'default.json'), JSON.stringify({ ...base, port: 1001, host: 'default-host' }));
  await writeFile(path.join(dir, 'test.json'), JSON.stringify({ port: 1002, log: { level: 'warn' } }));
  extraFile = path.join(dir, 'extra.json');
  await writeFile(extraFile, JSON.stringify({ port: 1003, saml: { groupAttribute: 'groups' } }));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function load(env: Record<string, string>) {
  return loadConfig({ env, configDir: dir });
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration layers (SPEC §7)', () => {
  it('takes default.json alone when no other layer sets a key', () => {
    expect(load({ NODE_ENV: 'development' }).port).toBe(1001);
    expect(load({}).env).toBe('development');
  });

  it('lets <NODE_ENV>.json override default.json and merges objects key by key', () => {
    const config = load({ NODE_ENV: 'test' });
    expect(config.port).toBe(1002);
    expect(config.host).toBe('default-host');
    expect(config.log.level).toBe('warn');
    expect(config.saml.maxBodyBytes).toBe(65536);
  });

  it('lets the ALLOT_CONFIG file override <NODE_ENV>.json', () => {
    const config = load({ NODE_ENV: 'test', ALLOT_CONFIG: extraFile });
    expect(config.port).toBe(1003);
    expect(config.saml.groupAttribute).toBe('groups');
    expect(config.log.level).toBe('warn');
  });

  it('lets environment variables override every file', () => {
    const config = load({ NODE_ENV: 'test', ALLOT_CONFIG: extraFile, PORT: '1004', ALLOT_GROUP_ATTRIBUTE: 'memberOf' });
    expect(config.port).toBe(1004);
    expect(config.saml.groupAttribute).toBe('memberOf');
  });

  it('reads DATABASE_URL, ALLOT_DATA_DIR and PORT from the environment', () => {
    const config = load({ DATABASE_URL: 'postgresql://allot@db:5432/allot', ALLOT_DATA_DIR: '/var/lib/allot', PORT: '8080' });
    expect(config.database.url).toBe('postgresql://allot@db:5432/allot');
    expect(config.database.dataDir).toBe('/var/lib/allot');
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('http://localhost:8080');
  });

  it('uses the embedded database in ./data when DATABASE_URL is unset or empty', () => {
    for (const env of [{}, { DATABASE_URL: '' }] as Array<Record<string, string>>) {
      const config = load(env);
      expect(config.database.url).toBeUndefined();
      expect(config.database.dataDir).toBe('./data');
    }
  });

  it('returns a frozen object', () => {
    const config = load({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.database)).toBe(true);
  });

  it('turns the demo off and logs JSON with the shipped production file', () => {
    const config = loadConfig({ env: { NODE_ENV: 'production' }, configDir: CONFIG_DIR });
    expect(config.demo.enabled).toBe(false);
    expect(config.log.format).toBe('json');
    expect(config.host).toBe('0.0.0.0');
  });
});

describe('a bad value stops start-up with one line naming the key', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['an unknown NODE_ENV', { NODE_ENV: 'staging' }, /^env: /],
    ['a port out of range', { PORT: '70000' }, /^port: /],
    ['a port that is not a number', { PORT: 'eighty' }, /^port: /],
    ['a DATABASE_URL that is not PostgreSQL', { DATABASE_URL: 'mysql://db/allot' }, /^database\.url: must be a postgresql:\/\/ URL$/],
    ['an unknown log level', { LOG_LEVEL: 'loud' }, /^log\.level: /],
    ['a boolean that is not one', { ALLOT_DEMO: 'maybe' }, /^ALLOT_DEMO: expected true or false/],
    ['a bootstrap token too short to be safe', { ALLOT_BOOTSTRAP_ADMIN_TOKEN: 'short' }, /^bootstrap\.adminToken: must be at least 24 characters$/],
    ['a missing ALLOT_CONFIG file', { ALLOT_CONFIG: '/nonexistent/allot.json' }, /^ALLOT_CONFIG: file not found/],
  ];
  for (const [what, env, message] of cases) {
    it(`refuses ${what}`, () => {
      const error = errorOf(() => load(env));
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('\n');
    });
  }

  it('refuses an unknown key in a file, naming it', async () => {
    const file = path.join(dir, 'typo.json');
    await writeFile(file, JSON.stringify({ database: { dataDirectory: '/tmp/x' } }));
    expect(errorOf(() => load({ ALLOT_CONFIG: file })).message).toMatch(/^database: .*dataDirectory/);
  });

  it('refuses a file that is not JSON, naming the file', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{ "port": ');
    expect(errorOf(() => load({ ALLOT_CONFIG: file })).message).toContain(file);
  });

  it('makes `allot serve` exit 1 printing that one line and no stack', async () => {
    const result = await runCli(['serve'], { PORT: '70000', ALLOT_DATA_DIR: path.join(dir, 'never-created') });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^allot: configuration error: port: [^\n]+$/);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
