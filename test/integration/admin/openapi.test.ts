import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../../src/admin/api.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await adminHarness();
});
afterAll(async () => h.close());

/** SPEC §6 stable interface. */
const STABLE = [
  ['put', '/api/v1/licenses/{key}'],
  ['get', '/api/v1/licenses'],
  ['put', '/api/v1/preference-order'],
  ['get', '/api/v1/policy'],
  ['put', '/api/v1/policy'],
  ['post', '/api/v1/mappings'],
  ['get', '/api/v1/mappings'],
  ['get', '/api/v1/mappings/{id}'],
  ['patch', '/api/v1/mappings/{id}'],
  ['delete', '/api/v1/mappings/{id}'],
  ['post', '/api/v1/mappings/preview'],
  ['get', '/api/v1/users'],
  ['get', '/api/v1/users/{id}'],
  ['get', '/api/v1/users/{id}/explain'],
  ['post', '/api/v1/users/{id}/licenses'],
  ['delete', '/api/v1/users/{id}/licenses/{key}'],
  ['get', '/api/v1/audit'],
  ['post', '/api/v1/redistributions'],
  ['get', '/api/v1/redistributions/{id}'],
] as const;

describe('OpenAPI document', () => {
  it('is an OpenAPI 3.1 document served without a token', async () => {
    const r = await request(h.app).get('/api/v1/openapi.json').expect(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(r.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every call of the SPEC §6 stable interface', async () => {
    const { paths } = (await request(h.app).get('/api/v1/openapi.json')).body;
    for (const [method, path] of STABLE) expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });

  it('documents every mounted route, with its parameters and body schema from the same zod schemas', async () => {
    const { paths, components } = (await request(h.app).get('/api/v1/openapi.json')).body;
    for (const r of adminRoutes) {
      const op = paths[`/api/v1${r.path.replace(/:(\w+)/g, '{$1}')}`]?.[r.method];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op.responses['401']).toBeDefined();
      if (r.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
    }
    expect(components.schemas.MappingInput.required).toEqual(['idpGroup']);
    expect(components.schemas.LicenseInput.properties.capacity).toMatchObject({ type: 'integer', minimum: 0 });
    expect(components.schemas.LicenseInput.additionalProperties).toBe(false);
  });
});

describe('docs page', () => {
  it('is self-contained HTML under a strict CSP: no script, same-origin stylesheet only', async () => {
    const r = await request(h.app).get('/api/docs').expect(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.text).not.toMatch(/<script|https?:\/\/(?!\S*openapi)/i);
    expect(r.text).toContain('<link rel="stylesheet" href="/api/docs/docs.css">');
    expect(r.text).toContain('/api/v1/mappings/preview');
    await request(h.app).get('/api/docs/docs.css').expect(200).expect('Content-Type', /text\/css/);
  });
});
