import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLicenses, seedMapping, seedUser, specLicenses } from '../../helpers/seed.js';
import { adminHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await adminHarness();
  await seedLicenses(h.db, specLicenses(5));
});
afterAll(async () => h.close());

describe('preference order', () => {
  it('answers the SPEC default on a fresh database', async () => {
    const r = await h.get('/api/v1/preference-order').expect(200);
    expect(r.body).toEqual({ order: ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner'] });
  });

  it('replaces the order and says how many users a redistribution would change', async () => {
    await seedMapping(h.db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
    await seedMapping(h.db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner'] });
    const fiona = await seedUser(h.db, 'fiona', ['Dev1', 'Dev2']);
    await h.deps.allocation.decideUser(fiona, { actor: 'test', action: 'test' });
    const order = ['attended-bot-runner', 'citizen-developer', 'bot-creator', 'unattended-bot-runner'];
    const r = await h.send('put', '/api/v1/preference-order', { order }).expect(200);
    expect(r.body).toEqual({ order, affectedUsers: 1 });
    expect((await h.get('/api/v1/preference-order')).body.order).toEqual(order);
    const audit = await h.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'preference-order.update' } });
    expect(audit.after).toEqual({ order });
  });

  it.each([
    ['an unknown license', ['bot-creator', 'nope'], 'order.1: unknown license nope'],
    ['an add-on', ['bot-insight'], 'order.0: bot-insight is an add-on'],
    ['a key twice', ['bot-creator', 'bot-creator'], 'order.1: bot-creator appears twice'],
  ])('refuses %s with 400 naming the position', async (_what, order, message) => {
    const r = await h.send('put', '/api/v1/preference-order', { order }).expect(400);
    expect(r.body.error.message).toContain(message);
  });

  it('refuses a body without order', async () => {
    const r = await h.send('put', '/api/v1/preference-order', {}).expect(400);
    expect(r.body.error.message).toMatch(/^order:/);
  });
});

describe('policy', () => {
  it('answers the SPEC defaults', async () => {
    const r = await h.get('/api/v1/policy').expect(200);
    expect(r.body).toEqual({
      adminRoles: ['AAE_Admin'],
      adminLicense: 'bot-insight',
      fallbackToNextPreference: false,
      jit: { redistributeManual: false, denyUnmapped: true, reactivateOnLogin: false },
    });
  });

  it('replaces the policy; omitted keys take their defaults', async () => {
    const r = await h.send('put', '/api/v1/policy', { fallbackToNextPreference: true, jit: { reactivateOnLogin: true } }).expect(200);
    expect(r.body).toMatchObject({ fallbackToNextPreference: true, adminLicense: 'bot-insight', jit: { reactivateOnLogin: true, denyUnmapped: true } });
    expect((await h.get('/api/v1/policy')).body.fallbackToNextPreference).toBe(true);
  });

  it.each([
    ['a non-boolean flag', { fallbackToNextPreference: 'yes' }, 'fallbackToNextPreference:'],
    ['an unknown key', { fallback: true }, ''],
    ['an unknown jit key', { jit: { deny: true } }, 'jit'],
    ['an empty admin role', { adminRoles: [''] }, 'adminRoles.0:'],
    ['an unknown admin license', { adminLicense: 'nope' }, 'adminLicense: unknown license nope'],
  ])('refuses %s with 400', async (_what, body, message) => {
    const r = await h.send('put', '/api/v1/policy', body).expect(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.message).toContain(message);
  });

  describe('admin lock-out guard', () => {
    beforeAll(async () => {
      await seedMapping(h.db, { idpGroup: 'Admins', roles: ['AAE_Admin'] });
      await seedUser(h.db, 'root', ['Admins']);
    });

    it('refuses adminRoles that no active user holds with 409 ADMIN_LOCKOUT', async () => {
      const r = await h.send('put', '/api/v1/policy', { adminRoles: ['Platform_Admin'] }).expect(409);
      expect(r.body.error.code).toBe('ADMIN_LOCKOUT');
      expect(r.body.error.details).toEqual({ adminsBefore: 1, adminsAfter: 0 });
      expect((await h.get('/api/v1/policy')).body.adminRoles).toEqual(['AAE_Admin']);
    });

    it('accepts it with confirm: true', async () => {
      const r = await h.send('put', '/api/v1/policy', { adminRoles: ['Platform_Admin'], confirm: true }).expect(200);
      expect(r.body.adminRoles).toEqual(['Platform_Admin']);
      expect(r.body).not.toHaveProperty('confirm');
    });
  });
});
