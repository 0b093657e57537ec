/**
 * List and projection parameters (RFC 7644 §3.4.2): 1-based `startIndex`, `count`, `filter`,
 * `attributes`/`excludedAttributes`. Out-of-range numbers are clamped as the RFC says (startIndex
 * < 1 is 1, count < 0 is 0, count above maxResults is maxResults); what is not an integer at all,
 * or beyond 32 bits, is 400 invalidValue.
 */
import { invalidValue } from './errors.js';
import type { ScimResponse } from './http-types.js';
import { LIST_SCHEMA } from './schemas.js';
import { FORBIDDEN_NAMES, parseFilter, type Filter } from './filter.js';

export interface ListQuery {
  readonly filter?: Filter;
  readonly startIndex: number;
  readonly count: number;
}

export interface Projection {
  readonly attributes?: readonly string[];
  readonly excluded?: readonly string[];
}

const INT32 = 2 ** 31 - 1;

function single(query: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidValue(`${name} must be given once, as a plain value`);
  return v;
}

function integer(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[+-]?\d{1,10}$/.test(raw.trim())) throw invalidValue(`${name} must be an integer`);
  const n = Number(raw);
  if (Math.abs(n) > INT32) throw invalidValue(`${name} is out of range`);
  return n;
}

export function parseListQuery(query: Readonly<Record<string, unknown>>, maxResults: number): ListQuery {
  const filterText = single(query, 'filter');
  const startIndex = Math.max(1, integer(single(query, 'startIndex'), 'startIndex') ?? 1);
  const count = Math.min(maxResults, Math.max(0, integer(single(query, 'count'), 'count') ?? maxResults));
  return { ...(filterText !== undefined && filterText.trim() !== '' ? { filter: parseFilter(filterText) } : {}), startIndex, count };
}

const ATTR_LIST = /^(?:urn:[A-Za-z0-9.:_-]+:)?[A-Za-z][\w$-]*(?:\.[A-Za-z][\w$-]*)?$/;

function names(raw: string | undefined, param: string): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const list = raw.split(',').map((s) => s.trim());
  for (const n of list) {
    if (!ATTR_LIST.test(n)) throw invalidValue(`${param}: invalid attribute name ${JSON.stringify(n)}`);
    for (const part of n.split(/[.:]/)) if (FORBIDDEN_NAMES.has(part)) throw invalidValue(`${param}: attribute name not allowed: ${part}`);
  }
  return list;
}

export function parseProjection(query: Readonly<Record<string, unknown>>): Projection {
  const attributes = names(single(query, 'attributes'), 'attributes');
  const excluded = names(single(query, 'excludedAttributes'), 'excludedAttributes');
  return { ...(attributes ? { attributes } : {}), ...(excluded ? { excluded } : {}) };
}

/** Attributes always returned whatever the request asks (RFC 7643 §7 returned "always"). */
const ALWAYS = new Set(['id', 'schemas', 'meta']);

/**
 * Applies a projection to a resource. Names are matched case-insensitively, with the resource's
 * schema URN prefix stripped; `name.givenName` keeps only that sub-attribute.
 */
export function project(resource: Record<string, unknown>, p: Projection, schema: string): Record<string, unknown> {
  if (!p.attributes && !p.excluded) return resource;
  const norm = (n: string): string => (n.toLowerCase().startsWith(`${schema.toLowerCase()}:`) ? n.slice(schema.length + 1) : n).toLowerCase();
  const out: Record<string, unknown> = {};
  if (p.attributes) {
    const wanted = p.attributes.map(norm);
    for (const [k, v] of Object.entries(resource)) {
      const key = k.toLowerCase();
      if (ALWAYS.has(key) || wanted.includes(key)) {
        out[k] = v;
        continue;
      }
      const subs = wanted.filter((w) => w.startsWith(`${key}.`)).map((w) => w.slice(key.length + 1));
      if (subs.length > 0 && v && typeof v === 'object') out[k] = pick(v, subs);
    }
    return out;
  }
  const excluded = p.excluded!.map(norm);
  for (const [k, v] of Object.entries(resource)) {
    const key = k.toLowerCase();
    if (!ALWAYS.has(key) && excluded.includes(key)) continue;
    const subs = excluded.filter((w) => w.startsWith(`${key}.`)).map((w) => w.slice(key.length + 1));
    out[k] = subs.length > 0 && v && typeof v === 'object' ? omit(v, subs) : v;
  }
  return out;
}

function pick(v: object, subs: string[]): unknown {
  if (Array.isArray(v)) return v.map((el: unknown) => (el && typeof el === 'object' ? pick(el, subs) : el));
  return Object.fromEntries(Object.entries(v).filter(([k]) => subs.includes(k.toLowerCase())));
}

function omit(v: object, subs: string[]): unknown {
  if (Array.isArray(v)) return v.map((el: unknown) => (el && typeof el === 'object' ? omit(el, subs) : el));
  return Object.fromEntries(Object.entries(v).filter(([k]) => !subs.includes(k.toLowerCase())));
}

/**
 * One page of a list (RFC 7644 §3.4.2): the total and, unless `count=0` asked for the total only,
 * the rows from the 1-based startIndex, oldest first, rendered as a ListResponse.
 */
export async function listPage<R>(
  q: ListQuery,
  count: () => Promise<number>,
  page: (skip: number, take: number) => Promise<R[]>,
  render: (row: R) => unknown,
): Promise<ScimResponse> {
  const [total, rows] = await Promise.all([count(), q.count === 0 ? Promise.resolve([]) : page(q.startIndex - 1, q.count)]);
  return {
    status: 200,
    body: { schemas: [LIST_SCHEMA], totalResults: total, itemsPerPage: rows.length, startIndex: q.startIndex, Resources: rows.map(render) },
  };
}
