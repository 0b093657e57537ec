/**
 * Every refusal of issue 5, each posting a real hostile response through the ACS as a browser
 * would: a 4xx page naming the reason category, nothing written (no user, membership, allocation,
 * audit or session row), the reason logged and counted. No mock of node-saml anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefusalReason } from '../../../src/saml/checks/refusal.js';
import { RSA_SHA1 } from '../../../src/demo/mint.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { b64, createTestIdp, TARGET, type TestIdp } from '../../helpers/idp.js';
import { assertionOf, envelope, evilAssertion, replaceAssertion, stripSignatures } from '../../helpers/hostile.js';
import { issueRequest, postAcs, samlApp, testConfig, type SamlApp } from '../../helpers/saml-app.js';

let db: TestDb;
let idp: TestIdp;
let s: SamlApp;

const fiona = { nameId: 'fiona@example.com', groups: ['Dev1', 'Dev2'], email: 'fiona@example.com' };
const MINUTE = 60_000;

beforeAll(async () => {
  db = await createTestDb();
  idp = createTestIdp();
  s = samlApp(db, testConfig(db, idp.keys.cert, { maxBodyBytes: 32 * 1024 }));
  await seedLicenses(db, specLicenses(5));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
  await seedMapping(db, { idpGroup: 'Dev2', licenses: ['attended-bot-runner'] });
  await seedMapping(db, { idpGroup: 'Admins', roles: ['AAE_Admin'] });
});
afterAll(async () => db?.destroy());

async function rows(): Promise<number[]> {
  const p = db.prisma;
  return Promise.all([p.user.count(), p.membership.count(), p.allocation.count(), p.auditEvent.count(), p.webSession.count()]);
}

interface Case {
  readonly name: string;
  /** The SAMLResponse field (or a whole raw form body when `rawBody`). */
  readonly build: () => Promise<string>;
  readonly reason: RefusalReason;
  readonly status?: number;
  readonly rawBody?: boolean;
}

const signed = (o: Parameters<TestIdp['mint']>[1] = {}, claims = fiona) => idp.mint(claims, o);
/** Assertion signed, Response not: edits of the envelope do not break a signature. */
const assertionOnly = (o: Parameters<TestIdp['mint']>[1] = {}) => signed({ signResponse: false, ...o });
const xmlOf = async (o: Parameters<TestIdp['mint']>[1] = {}) => (await assertionOnly(o)).xml;

const cases: Case[] = [
  // Check 1: body and base64.
  { name: 'oversized body', build: async () => 'A'.repeat(40 * 1024), reason: 'BODY_TOO_LARGE', status: 413 },
  { name: 'bad base64', build: async () => '@@not*base64@@', reason: 'BAD_BASE64', status: 400 },
  { name: 'not XML', build: async () => b64('hello, this is not XML'), reason: 'NOT_XML', status: 400 },
  { name: 'two SAMLResponse fields', rawBody: true, build: async () => `SAMLResponse=${encodeURIComponent((await signed()).base64)}&SAMLResponse=x`, reason: 'BAD_FORM', status: 400 },
  { name: 'empty SAMLResponse', rawBody: true, build: async () => 'SAMLResponse=', reason: 'BAD_FORM', status: 400 },
  // Check 2: XML shape.
  {
    name: 'XXE (external entity)',
    build: async () => b64(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${(await xmlOf()).replace('fiona@example.com</saml:NameID>', '&x;</saml:NameID>')}`),
    reason: 'XML_DOCTYPE',
  },
  {
    name: 'entity expansion (billion laughs)',
    build: async () => b64(`<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${(await xmlOf()).replace('Dev1<', '&c;<')}`),
    reason: 'XML_DOCTYPE',
  },
  {
    name: 'comment injection in NameID (signature still verifies under exc-c14n)',
    build: async () => b64((await xmlOf()).replace('fiona@example.com</saml:NameID>', 'fiona@example.com<!---->.evil.example</saml:NameID>')),
    reason: 'XML_COMMENT',
  },
  { name: 'processing instruction', build: async () => b64((await xmlOf()).replace('<saml:Issuer>', '<?evil x?><saml:Issuer>')), reason: 'XML_PROCESSING_INSTRUCTION' },
  {
    name: 'element depth above 64',
    build: async () => b64((await xmlOf()).replace('<samlp:Status>', `${'<samlp:Extensions>'.repeat(70)}${'</samlp:Extensions>'.repeat(70)}<samlp:Status>`)),
    reason: 'XML_TOO_DEEP',
  },
  { name: 'two root elements', build: async () => b64(`${await xmlOf()}<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`), reason: 'XML_SHAPE' },
  // Outside what signatures cover (the KeyInfo certificate): the response would still verify.
  { name: 'control character in the document', build: async () => b64((await signed()).xml.replace('<ds:X509Certificate>MII', '<ds:X509Certificate>M\u0001I')), reason: 'XML_SHAPE' },
  { name: 'character reference to a control character', build: async () => b64((await signed()).xml.replace('<ds:X509Certificate>MII', '<ds:X509Certificate>M&#1;I')), reason: 'XML_SHAPE' },
  // Check 3: algorithms.
  { name: 'RSA-SHA1 signature', build: async () => (await signed({ signatureAlgorithm: RSA_SHA1 })).base64, reason: 'ALGORITHM_NOT_ALLOWED' },
  // Check 4: the library, with signed assertions required.
  { name: 'unsigned response and assertion', build: async () => (await signed({ signAssertion: false, signResponse: false })).base64, reason: 'SIGNATURE_INVALID' },
  { name: 'signatures stripped', build: async () => b64(stripSignatures((await signed()).xml)), reason: 'SIGNATURE_INVALID' },
  { name: 'signed only at Response level (assertion unsigned)', build: async () => (await signed({ signAssertion: false })).base64, reason: 'SIGNATURE_INVALID' },
  { name: 'signed by another key with its own KeyInfo', build: async () => (await assertionOnly({ keys: idp.rogue })).base64, reason: 'SIGNATURE_INVALID' },
  { name: 'NameID edited after signing', build: async () => b64((await xmlOf()).replace('fiona@example.com</saml:NameID>', 'ada@example.com</saml:NameID>')), reason: 'SIGNATURE_INVALID' },
  { name: 'groups edited after signing', build: async () => b64((await xmlOf()).replace('>Dev2<', '>Admins<')), reason: 'SIGNATURE_INVALID' },
  { name: 'wrong Audience', build: async () => (await signed({ audience: 'https://other-sp.example/' })).base64, reason: 'AUDIENCE_MISMATCH' },
  { name: 'expired', build: async () => (await signed({ now: new Date(Date.now() - 20 * MINUTE) })).base64, reason: 'EXPIRED' },
  { name: 'not yet valid', build: async () => (await signed({ now: new Date(Date.now() + 20 * MINUTE) })).base64, reason: 'NOT_YET_VALID' },
  // Check 5: a Response signature that does not verify.
  {
    name: 'Response signature broken (assertion signature valid)',
    build: async () => b64((await signed()).xml.replace(/(<samlp:Response [^>]*IssueInstant=")[^"]+"/, '$11999-01-01T00:00:00Z"')),
    reason: 'RESPONSE_SIGNATURE_INVALID',
  },
  { name: 'Response signed by another key', build: async () => (await signed({ keys: idp.rogue })).base64, reason: 'RESPONSE_SIGNATURE_INVALID' },
  // Checks 6–8: envelope.
  { name: 'Status not Success', build: async () => (await signed({ statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester' })).base64, reason: 'STATUS_NOT_SUCCESS' },
  { name: 'wrong Destination', build: async () => (await signed({ destination: 'https://evil.example/saml/acs' })).base64, reason: 'DESTINATION_MISMATCH' },
  { name: 'wrong Issuer', build: async () => (await signed({ issuer: 'https://evil-idp.example/' })).base64, reason: 'ISSUER_MISMATCH' },
  { name: 'wrong Assertion Issuer under a correct Response Issuer', build: async () => (await signed({ assertionIssuer: 'https://evil-idp.example/' })).base64, reason: 'ISSUER_MISMATCH' },
  // Check 9: subject confirmation.
  { name: 'wrong Recipient', build: async () => (await signed({ recipient: 'https://evil.example/saml/acs' })).base64, reason: 'RECIPIENT_MISMATCH' },
  { name: 'holder-of-key confirmation', build: async () => (await signed({ confirmationMethod: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' })).base64, reason: 'SUBJECT_CONFIRMATION' },
  // Check 10: InResponseTo.
  { name: 'unknown InResponseTo', build: async () => (await signed({ inResponseTo: '_never-issued' })).base64, reason: 'IN_RESPONSE_TO' },
  {
    name: 'SubjectConfirmationData InResponseTo differs from the Response InResponseTo',
    build: async () => (await signed({ inResponseTo: (await issueRequest(s.app)).id, subjectInResponseTo: '_other' })).base64,
    reason: 'IN_RESPONSE_TO',
  },
  {
    name: 'InResponseTo stripped from an SP-initiated response (signed assertion keeps it)',
    build: async () => b64((await assertionOnly({ inResponseTo: (await issueRequest(s.app)).id })).xml.replace(/(<samlp:Response [^>]*) InResponseTo="[^"]+"/, '$1')),
    reason: 'IN_RESPONSE_TO',
  },
  // Check 11: NameID.
  { name: 'empty NameID', build: async () => (await signed({}, { ...fiona, nameId: '' })).base64, reason: 'NAME_ID_MISSING' },
  // XML signature wrapping.
  {
    name: 'XSW: unsigned evil assertion before the signed one',
    build: async () => {
      const xml = await xmlOf();
      return b64(xml.replace('<saml:Assertion', `${evilAssertion(assertionOf(xml), 'ada@example.com', '_evil')}<saml:Assertion`));
    },
    reason: 'XML_SHAPE',
  },
  {
    name: 'XSW: evil assertion carrying the signature, signed original hidden in Extensions',
    build: async () => {
      const xml = await xmlOf();
      const original = assertionOf(xml);
      const signature = /<ds:Signature\b[\s\S]*?<\/ds:Signature>/.exec(original)![0];
      const evil = evilAssertion(original, 'ada@example.com', '_evil').replace('</saml:Issuer>', `</saml:Issuer>${signature}`);
      return b64(envelope(evil, { acsUrl: TARGET.acsUrl, issuer: TARGET.idpEntityId, extensions: original }));
    },
    reason: 'SIGNATURE_INVALID',
  },
  {
    name: 'XSW: evil assertion with the same ID, signed original hidden in Extensions',
    build: async () => {
      const xml = await xmlOf();
      const original = assertionOf(xml);
      const id = /ID="([^"]+)"/.exec(original)![1]!;
      const signature = /<ds:Signature\b[\s\S]*?<\/ds:Signature>/.exec(original)![0];
      const evil = evilAssertion(original, 'ada@example.com', id).replace('</saml:Issuer>', `</saml:Issuer>${signature}`);
      return b64(envelope(evil, { acsUrl: TARGET.acsUrl, issuer: TARGET.idpEntityId, extensions: original }));
    },
    reason: 'SIGNATURE_INVALID',
  },
  {
    name: 'XSW: signed assertion nested inside an unsigned evil assertion',
    build: async () => {
      const xml = await xmlOf();
      const original = assertionOf(xml);
      const evil = evilAssertion(original, 'ada@example.com', '_evil').replace('</saml:Assertion>', `${original}</saml:Assertion>`);
      return b64(replaceAssertion(xml, evil));
    },
    reason: 'SIGNATURE_INVALID',
  },
  {
    name: 'XSW: evil assertion in a foreign namespace beside the signed one',
    build: async () => {
      const xml = await xmlOf();
      const evil = evilAssertion(assertionOf(xml), 'ada@example.com', '_evil').replace(/saml:/g, 'x:').replace('<x:Assertion', '<x:Assertion xmlns:x="urn:evil"');
      return b64(xml.replace('<saml:Assertion', `${evil}<saml:Assertion`));
    },
    reason: 'XML_SHAPE',
  },
  {
    name: 'XSW: signed Response wrapped in Extensions of an unsigned Response with an evil assertion',
    build: async () => {
      const minted = await signed();
      const evil = evilAssertion(assertionOf(minted.xml), 'ada@example.com', '_evil');
      return b64(envelope(evil, { acsUrl: TARGET.acsUrl, issuer: TARGET.idpEntityId, extensions: minted.xml.replace(/^<\?xml[^>]*>/, '') }));
    },
    reason: 'SIGNATURE_INVALID',
  },
];

describe('ACS refusals', () => {
  it.each(cases)('refuses $name ($reason)', async (c) => {
    const before = await rows();
    const logsBefore = s.logs.length;
    const counted = await s.metric('allot_saml_refusals_total', { reason: c.reason });
    const field = await c.build();
    const res = c.rawBody
      ? await (await import('supertest')).default(s.app).post('/saml/acs').type('form').send(field)
      : await postAcs(s.app, field);
    expect(res.status).toBe(c.status ?? 403);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain(c.reason);
    expect(res.text).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(await rows()).toEqual(before);
    const logged = s.logs.slice(logsBefore).filter((l) => l['message'] === 'SAML response refused');
    expect(logged.map((l) => l['reason'])).toEqual([c.reason]);
    expect(await s.metric('allot_saml_refusals_total', { reason: c.reason })).toBe(counted + 1);
  });
});

describe('replays', () => {
  it('refuses an IdP-initiated response posted twice', async () => {
    const minted = await signed({}, { ...fiona, nameId: 'replay-idp@example.com' });
    await postAcs(s.app, minted.base64).expect(303);
    const before = await rows();
    const res = await postAcs(s.app, minted.base64).expect(403);
    expect(res.text).toContain('REPLAY');
    expect(await rows()).toEqual(before);
  });

  it('refuses an SP-initiated response posted twice (its request id is consumed)', async () => {
    const { id } = await issueRequest(s.app);
    const minted = await signed({ inResponseTo: id }, { ...fiona, nameId: 'replay-sp@example.com' });
    await postAcs(s.app, minted.base64).expect(303);
    const res = await postAcs(s.app, minted.base64).expect(403);
    expect(res.text).toContain('IN_RESPONSE_TO');
  });

  it('refuses a captured signed assertion re-wrapped in a new Response', async () => {
    const minted = await signed({ signResponse: false }, { ...fiona, nameId: 'rewrap@example.com' });
    await postAcs(s.app, minted.base64).expect(303);
    const rewrapped = envelope(assertionOf(minted.xml), { acsUrl: TARGET.acsUrl, issuer: TARGET.idpEntityId });
    const res = await postAcs(s.app, b64(rewrapped)).expect(403);
    expect(res.text).toContain('REPLAY');
  });

  it('refuses the replay of a denied login’s assertion (recorded with the denial’s audit row)', async () => {
    const minted = await signed({}, { nameId: 'unmapped@example.com', groups: ['Nobody'], email: 'unmapped@example.com' });
    expect((await postAcs(s.app, minted.base64).expect(403)).text).toContain('NO_MAPPING');
    const before = await rows();
    expect((await postAcs(s.app, minted.base64).expect(403)).text).toContain('REPLAY');
    expect(await rows()).toEqual(before);
  });

  it('lets one of two concurrent posts of the same response in, and refuses the other as a replay', async () => {
    const minted = await signed({}, { ...fiona, nameId: 'twice-at-once@example.com' });
    const before = await rows();
    const answers = await Promise.all([postAcs(s.app, minted.base64), postAcs(s.app, minted.base64)]);
    expect(answers.map((r) => r.status).sort()).toEqual([303, 403]);
    expect(answers.find((r) => r.status === 403)!.text).toContain('REPLAY');
    const user = await db.prisma.user.findUniqueOrThrow({ where: { nameIdLower: 'twice-at-once@example.com' } });
    expect(await db.prisma.webSession.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.prisma.auditEvent.count({ where: { userId: user.id } })).toBe(1);
    expect((await rows())[0]).toBe(before[0]! + 1);
  });

  it('refuses a replay through a second app instance on the same database', async () => {
    const other = samlApp(db, testConfig(db, idp.keys.cert));
    const minted = await signed({}, { ...fiona, nameId: 'two-instances@example.com' });
    await postAcs(s.app, minted.base64).expect(303);
    const res = await postAcs(other.app, minted.base64).expect(403);
    expect(res.text).toContain('REPLAY');
  });

  it('purges expired request and assertion ids only', async () => {
    const { createSamlCache } = await import('../../../src/saml/replay-cache.js');
    const past = new Date(Date.now() - 1000);
    await db.prisma.samlCacheEntry.createMany({ data: [{ kind: 'assertion', key: '_old', expiresAt: past }, { kind: 'request', key: '_old', expiresAt: past }] });
    const live = await db.prisma.samlCacheEntry.count({ where: { expiresAt: { gt: new Date() } } });
    const cache = createSamlCache(db, { now: () => new Date() }, 60_000);
    expect(await cache.purgeExpired()).toBeGreaterThanOrEqual(2);
    expect(await db.prisma.samlCacheEntry.count({ where: { key: '_old' } })).toBe(0);
    expect(await db.prisma.samlCacheEntry.count()).toBe(live);
    // An expired assertion id may be accepted again (it can no longer pass the time checks anyway).
    await db.prisma.samlCacheEntry.create({ data: { kind: 'assertion', key: '_expired', expiresAt: past } });
    expect(await cache.recordAssertion('_expired', new Date(Date.now() + 60_000))).toBe(true);
    expect(await cache.recordAssertion('_expired', new Date(Date.now() + 60_000))).toBe(false);
  });

  it('accepts the same user again with a fresh assertion', async () => {
    await postAcs(s.app, (await signed({}, { ...fiona, nameId: 'again@example.com' })).base64).expect(303);
    await postAcs(s.app, (await signed({}, { ...fiona, nameId: 'again@example.com' })).base64).expect(303);
  });
});

describe('rate limit', () => {
  it('answers 429 with the plain page once a client address exceeds the ACS limit', async () => {
    const limited = samlApp(db, testConfig(db, idp.keys.cert, { rateLimit: { windowMs: 60_000, max: 2 } }));
    await postAcs(limited.app, 'x').expect(400);
    await postAcs(limited.app, 'x').expect(400);
    const res = await postAcs(limited.app, 'x').expect(429);
    expect(res.text).toContain('RATE_LIMITED');
    expect(await limited.metric('allot_saml_refusals_total', { reason: 'RATE_LIMITED' })).toBe(1);
  });
});
