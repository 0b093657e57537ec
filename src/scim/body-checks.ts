/**
 * Checks every SCIM body goes through before anything reads it: a plain JSON object, bounded
 * depth, no `__proto__`/`constructor`/`prototype` key anywhere (such a key could reach an object
 * spread or a library merge and pollute prototypes), and a `schemas` list naming only what we know.
 */
import { invalidSyntax, invalidValue } from './errors.js';
import { FORBIDDEN_NAMES } from './filter.js';

const MAX_DEPTH = 8;

export function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidSyntax(`${what} must be a JSON object`);
  }
  refuseForbiddenKeys(body, 0);
  return body as Record<string, unknown>;
}

function refuseForbiddenKeys(v: unknown, depth: number): void {
  if (v === null || typeof v !== 'object') return;
  if (depth > MAX_DEPTH) throw invalidValue('request body nested too deeply');
  if (Array.isArray(v)) {
    for (const el of v) refuseForbiddenKeys(el, depth + 1);
    return;
  }
  for (const k of Object.keys(v)) {
    if (FORBIDDEN_NAMES.has(k)) throw invalidValue(`attribute name not allowed: ${k}`);
    refuseForbiddenKeys((v as Record<string, unknown>)[k], depth + 1);
  }
}

/** `schemas`, when sent, must be a list of strings naming `required` and only `allowed` URNs. */
export function checkSchemas(body: Record<string, unknown>, required: string, allowed: readonly string[]): void {
  const key = Object.keys(body).find((k) => k.toLowerCase() === 'schemas');
  if (key === undefined) return;
  const s = body[key];
  if (!Array.isArray(s) || s.some((x) => typeof x !== 'string')) throw invalidValue('schemas must be a list of schema URNs');
  const lower = (s as string[]).map((x) => x.toLowerCase());
  if (!lower.includes(required.toLowerCase())) throw invalidValue(`schemas must include ${required}`);
  const unknown = (s as string[]).find((x) => !allowed.some((a) => a.toLowerCase() === x.toLowerCase()));
  if (unknown) throw invalidValue(`unknown schema ${unknown}`);
}

/** Entra sends booleans as "True"/"False" strings; accept those and real booleans only. */
export function toBoolean(v: unknown, name: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw invalidValue(`${name} must be a boolean`);
}

export function optionalString(v: unknown, name: string, max = 1024): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw invalidValue(`${name} must be a string`);
  if (v.length > max) throw invalidValue(`${name} is longer than ${max} characters`);
  return v;
}
