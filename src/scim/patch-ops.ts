/**
 * PATCH requests (RFC 7644 §3.5.2) normalised before anything applies them, so users and groups
 * see one shape whatever the IdP sent:
 * - Entra sends PascalCase ops ("Replace", "Add", "Remove"): ops are matched case-insensitively.
 * - Entra and Okta send no-path ops whose value is an object of attributes
 *   (`{"op":"replace","value":{"active":false}}`, `{"name.givenName":"x"}` keys included): each key
 *   becomes its own op with that path; enterprise-extension keys are split the same way.
 * - Paths may carry a value filter (`emails[type eq "work"].value`, `members[value eq "id"]`).
 * String booleans ("False") are left to the resource parsers, which accept them for boolean
 * attributes only.
 */
import { checkSchemas, requireObject } from './body-checks.js';
import { invalidPath, invalidSyntax, invalidValue, ScimError } from './errors.js';
import { parseAttrName, parseFilter, type Filter } from './filter.js';
import { ENTERPRISE_USER_SCHEMA, PATCH_SCHEMA } from './schemas.js';

export type OpName = 'add' | 'remove' | 'replace';

export interface PatchPath {
  /** Lower-cased attribute name, schema URN stripped (extension attributes keep `urn:` form). */
  readonly attr: string;
  readonly sub?: string;
  readonly filter?: Filter;
  readonly text: string;
}

export interface PatchOp {
  readonly op: OpName;
  readonly path?: PatchPath;
  readonly value?: unknown;
}

const MAX_OPS = 1000;
const PATH = /^([^[\]]+?)(?:\[(.*)\])?(?:\.([A-Za-z][\w$-]*))?$/s;

/** Parses `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, each optionally URN-prefixed. */
export function parsePath(text: string, coreSchema: string): PatchPath {
  if (text.length > 1000) throw invalidPath('path too long');
  const m = PATH.exec(text.trim());
  if (!m) throw invalidPath(`invalid path ${text}`);
  try {
    const name = parseAttrName(m[1]!);
    if (name.sub && (m[2] !== undefined || m[3] !== undefined)) throw invalidPath(`invalid path ${text}`);
    const sub = name.sub ?? m[3];
    let attr = name.attr;
    const prefix = `${coreSchema.toLowerCase()}:`;
    if (attr.toLowerCase().startsWith(prefix)) attr = attr.slice(prefix.length);
    return {
      attr: attr.toLowerCase(),
      ...(sub ? { sub: sub.toLowerCase() } : {}),
      ...(m[2] !== undefined ? { filter: parseFilter(m[2]) } : {}),
      text,
    };
  } catch (e) {
    if (e instanceof ScimError && e.scimType === 'invalidFilter') throw invalidPath(`${e.detail} (in path ${text})`);
    throw e;
  }
}

export function parsePatch(raw: unknown, coreSchema: string): PatchOp[] {
  const body = requireObject(raw, 'PatchOp');
  checkSchemas(body, PATCH_SCHEMA, [PATCH_SCHEMA]);
  const opsKey = Object.keys(body).find((k) => k.toLowerCase() === 'operations');
  const unknown = Object.keys(body).find((k) => !['operations', 'schemas'].includes(k.toLowerCase()));
  if (unknown) throw invalidSyntax(`unknown PatchOp member ${unknown}`);
  const ops = opsKey === undefined ? undefined : body[opsKey];
  if (!Array.isArray(ops) || ops.length === 0) throw invalidSyntax('Operations must be a non-empty list');
  if (ops.length > MAX_OPS) throw new ScimError(400, 'tooMany', `more than ${MAX_OPS} operations`);
  const out: PatchOp[] = [];
  ops.forEach((rawOp, i) => {
    if (!rawOp || typeof rawOp !== 'object' || Array.isArray(rawOp)) throw invalidSyntax(`Operations[${i}] must be an object`);
    const o = rawOp as Record<string, unknown>;
    const fields = new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
    const extra = [...fields.keys()].find((k) => !['op', 'path', 'value'].includes(k));
    if (extra) throw invalidSyntax(`Operations[${i}]: unknown member ${extra}`);
    const opName = fields.get('op');
    const op = typeof opName === 'string' ? opName.toLowerCase() : '';
    if (op !== 'add' && op !== 'remove' && op !== 'replace') throw invalidSyntax(`Operations[${i}].op must be add, remove or replace`);
    const pathText = fields.get('path');
    const value = fields.get('value');
    if (pathText !== undefined && pathText !== null && (typeof pathText !== 'string' || pathText.trim() === '')) {
      throw invalidPath(`Operations[${i}].path must be a non-empty string`);
    }
    if (typeof pathText === 'string') {
      out.push({ op, path: parsePath(pathText, coreSchema), ...(value !== undefined ? { value } : {}) });
      return;
    }
    if (op === 'remove') throw new ScimError(400, 'noTarget', `Operations[${i}]: remove needs a path`);
    out.push(...expandNoPath(op, value, coreSchema, i));
  });
  return out;
}

/** A no-path add/replace: one op per attribute of the value object (RFC 7644 §3.5.2.1/3). */
function expandNoPath(op: OpName, value: unknown, coreSchema: string, i: number): PatchOp[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidValue(`Operations[${i}]: without a path the value must be an object`);
  const out: PatchOp[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (k.toLowerCase() === ENTERPRISE_USER_SCHEMA.toLowerCase() && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [ek, ev] of Object.entries(v)) out.push({ op, path: parsePath(`${ENTERPRISE_USER_SCHEMA}:${ek}`, coreSchema), value: ev });
      continue;
    }
    out.push({ op, path: parsePath(k, coreSchema), value: v });
  }
  return out;
}
