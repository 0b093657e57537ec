import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;
type Json = Record<string, unknown>;

/** Environment variables that deployments use (SPEC §6), and where they land. */
const ENV_KEYS: ReadonlyArray<[string, string, 'string' | 'int' | 'bool' | 'list']> = [
  ['PORT', 'port', 'int'],
  ['HOST', 'host', 'string'],
  ['ALLOT_PUBLIC_URL', 'publicUrl', 'string'],
  ['DATABASE_URL', 'database.url', 'string'],
  ['ALLOT_DATA_DIR', 'database.dataDir', 'string'],
  ['LOG_LEVEL', 'log.level', 'string'],
  ['LOG_FORMAT', 'log.format', 'string'],
  ['ALLOT_SP_ENTITY_ID', 'saml.sp.entityId', 'string'],
  ['ALLOT_IDP_ENTITY_ID', 'saml.idp.entityId', 'string'],
  ['ALLOT_IDP_SSO_URL', 'saml.idp.ssoUrl', 'string'],
  ['ALLOT_IDP_CERTS', 'saml.idp.certs', 'list'],
  ['ALLOT_IDP_METADATA_FILE', 'saml.idp.metadataFile', 'string'],
  ['ALLOT_GROUP_ATTRIBUTE', 'saml.groupAttribute', 'string'],
  ['ALLOT_SAML_MAX_BODY_BYTES', 'saml.maxBodyBytes', 'int'],
  ['ALLOT_DEMO', 'demo.enabled', 'bool'],
  ['ALLOT_BATCH_SIZE', 'jobs.batchSize', 'int'],
  ['ALLOT_SCHEDULE', 'jobs.schedule', 'string'],
  ['ALLOT_BOOTSTRAP_ADMIN_TOKEN', 'bootstrap.adminToken', 'string'],
  ['ALLOT_BOOTSTRAP_SCIM_TOKEN', 'bootstrap.scimToken', 'string'],
];

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where later layers win; arrays are replaced, not concatenated. */
export function mergeLayers(...layers: Json[]): Json {
  const out: Json = {};
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
      const prev = out[k];
      out[k] = isObject(prev) && isObject(v) ? mergeLayers(prev, v) : v;
    }
  }
  return out;
}

function setPath(target: Json, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    node = isObject(next) ? next : (node[part] = {});
  }
  node[parts[parts.length - 1]!] = value;
}

function parseEnvValue(name: string, raw: string, type: 'string' | 'int' | 'bool' | 'list'): unknown {
  switch (type) {
    case 'string':
      return raw;
    case 'int':
      // Leave it to the schema to name the key when the value is not a number.
      return /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(raw)) return true;
      if (/^(0|false|no|off)$/i.test(raw)) return false;
      throw new ConfigError(`${name}: expected true or false, received "${raw}"`);
    case 'list':
      // PEM certificates contain newlines, so several are separated by a blank line or "||".
      return raw.split(/\|\||\n\s*\n/).map((s) => s.trim()).filter(Boolean);
  }
}

export function envLayer(env: Env): Json {
  const layer: Json = {};
  for (const [name, key, type] of ENV_KEYS) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') setPath(layer, key, parseEnvValue(name, raw, type));
  }
  return layer;
}

function readJson(file: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  if (!isObject(parsed)) throw new ConfigError(`${file}: expected a JSON object`);
  return parsed;
}

export interface LoadOptions {
  env: Env;
  /** Directory holding default.json and <NODE_ENV>.json. */
  configDir: string;
}

/**
 * Builds the configuration: config/default.json, config/<NODE_ENV>.json, the file named by
 * ALLOT_CONFIG, then environment variables (SPEC §7). Throws ConfigError with one line
 * naming the bad key and the problem.
 */
export function loadConfig({ env, configDir }: LoadOptions): Readonly<Config> {
  const nodeEnv = env['NODE_ENV'] ?? 'development';
  const layers: Json[] = [];
  for (const name of ['default.json', `${nodeEnv}.json`]) {
    const file = path.join(configDir, name);
    if (existsSync(file)) layers.push(readJson(file));
  }
  const extra = env['ALLOT_CONFIG'];
  if (extra) {
    if (!existsSync(extra)) throw new ConfigError(`ALLOT_CONFIG: file not found: ${extra}`);
    layers.push(readJson(extra));
  }
  layers.push({ env: nodeEnv }, envLayer(env));
  const merged = mergeLayers(...layers);
  if (merged['publicUrl'] === undefined) {
    merged['publicUrl'] = `http://localhost:${String(merged['port'] ?? 3000)}`;
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.map(String).join('.') || '(root)';
    throw new ConfigError(`${key}: ${issue.message}`);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
