/**
 * Discovery endpoints (RFC 7644 §4) describe what allot really supports, behind the same
 * bearer auth as the rest of /scim/v2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { scimClient, type ScimClient } from '../../helpers/scim.js';

let db: TestDb;
let scim: ScimClient;

beforeAll(async () => {
  db = await createTestDb();
  scim = await scimClient(db, { maxResults: 150 });
});
afterAll(() => db.destroy());

describe('discovery', () => {
  it('ServiceProviderConfig says PATCH and filter are supported (with maxResults), bulk, sort, etag and password change are not', async () => {
    const res = await scim.get('/ServiceProviderConfig').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      filter: { supported: true, maxResults: 150 },
      bulk: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      changePassword: { supported: false },
      authenticationSchemes: [{ type: 'oauthbearertoken' }],
    });
  });

  it('Schemas lists User and Group, each also addressable by its URN', async () => {
    const res = await scim.get('/Schemas').expect(200);
    const ids = (res.body as { Resources: { id: string }[] }).Resources.map((r) => r.id);
    expect(ids).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:core:2.0:Group']);
    const user = await scim.get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:User').expect(200);
    const attrs = (user.body as { attributes: { name: string; uniqueness: string }[] }).attributes;
    expect(attrs.find((a) => a.name === 'userName')).toMatchObject({ required: true, uniqueness: 'server' });
    await scim.get('/Schemas/urn:nope').expect(404);
  });

  it('ResourceTypes names the /Users and /Groups endpoints', async () => {
    const res = await scim.get('/ResourceTypes').expect(200);
    expect(res.body).toMatchObject({ totalResults: 2, Resources: [{ id: 'User', endpoint: '/Users' }, { id: 'Group', endpoint: '/Groups' }] });
    expect((await scim.get('/ResourceTypes/Group').expect(200)).body).toMatchObject({ schema: 'urn:ietf:params:scim:schemas:core:2.0:Group' });
  });
});
