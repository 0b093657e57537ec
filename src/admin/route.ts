/**
 * One admin API route as data: method, path, zod schemas and a thin handler. The same definition
 * mounts the Express route (parse → call one function → send) and documents it in the OpenAPI
 * registry, so the document can never drift from what the server validates.
 */
import type { Request, Response, Router } from 'express';
import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z, type ZodType } from 'zod';
import type { AppDeps } from '../http/app.js';
import { ValidationError } from '../shared/errors.js';
import { adminActor } from './auth.js';

export type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';

export interface Reply {
  readonly status?: number;
  readonly body?: unknown;
}

export interface HandlerInput<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** `admin:<token name>` (SPEC §4), as the audit trail records it. */
  readonly actor: string;
  readonly deps: AppDeps;
  readonly req: Request;
  readonly res: Response;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  readonly method: Method;
  /** Express syntax, relative to /api/v1 (`/licenses/:key`). */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly params?: ZodType<P>;
  readonly query?: ZodType<Q>;
  readonly body?: ZodType<B>;
  readonly responses: Readonly<Record<number, { readonly description: string; readonly schema?: ZodType; readonly mediaType?: string }>>;
  /** Returns the reply, or undefined when it wrote the response itself (a CSV stream). */
  readonly handler: (input: HandlerInput<P, Q, B>) => Promise<Reply | undefined>;
}

/** Identity with inference: `route({...})` types the handler's input from its schemas. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(def: RouteDef<P, Q, B>): RouteDef {
  return def as unknown as RouteDef;
}

export function mountRoute(router: Router, def: RouteDef, deps: AppDeps): void {
  router[def.method](def.path, async (req, res) => {
    const params = parse(def.params, req.params, 'path');
    const query = parse(def.query, req.query, 'query');
    const body = def.body ? parse(def.body, req.body ?? {}, 'body') : undefined;
    const reply = await def.handler({ params, query, body, actor: adminActor(req), deps, req, res });
    if (!reply) return;
    const status = reply.status ?? 200;
    if (reply.body === undefined) res.status(status).end();
    else res.status(status).json(reply.body);
  });
}

/** Zod issues become one 400 naming the first bad field, with every issue in details. */
function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: 'path' | 'query' | 'body'): T {
  if (!schema) return {} as T;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ in: where, path: i.path.map(String).join('.'), message: i.message }));
  const first = details[0]!;
  throw new ValidationError(`${first.path ? `${where === 'body' ? '' : `${where} `}${first.path}` : where}: ${first.message}`, details);
}

export function registerRoute(registry: OpenAPIRegistry, def: RouteDef): void {
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, r] of Object.entries(def.responses)) {
    responses[status] = r.schema
      ? { description: r.description, content: { [r.mediaType ?? 'application/json']: { schema: r.schema } } }
      : { description: r.description };
  }
  for (const [status, description] of Object.entries(COMMON_ERRORS)) {
    responses[status] ??= { description, content: { 'application/json': { schema: errorSchema } } };
  }
  registry.registerPath({
    method: def.method,
    path: `/api/v1${def.path.replace(/:(\w+)/g, '{$1}')}`,
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: [def.tag],
    security: [{ bearer: [] }],
    request: {
      ...(def.params ? { params: def.params as never } : {}),
      ...(def.query ? { query: def.query as never } : {}),
      ...(def.body ? { body: { required: true, content: { 'application/json': { schema: def.body } } } } : {}),
    },
    responses,
  });
}

export const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) })
  .meta({ id: 'Error' });

const COMMON_ERRORS: Record<string, string> = {
  400: 'Invalid request: the message names the field',
  401: 'Missing, unknown or revoked bearer token',
  403: 'The token scope does not allow this call',
};
