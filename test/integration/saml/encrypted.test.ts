/** Encrypted assertions (saml.sp.decryptionKey): the algorithm allow-list also runs inside them. */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSigned } from '../../../src/demo/self-signed.js';
import { RSA_SHA1 } from '../../../src/demo/mint.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { createTestIdp, type TestIdp } from '../../helpers/idp.js';
import { postAcs, samlApp, testConfig, type SamlApp } from '../../helpers/saml-app.js';

let db: TestDb;
let idp: TestIdp;
let s: SamlApp;
const sp = createSelfSigned('allot SP encryption');

beforeAll(async () => {
  db = await createTestDb();
  idp = createTestIdp();
  s = samlApp(db, testConfig(db, idp.keys.cert, { sp: { decryptionKey: sp.privateKey, decryptionCert: sp.cert } }));
  await seedLicenses(db, specLicenses(5));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
});
afterAll(async () => db?.destroy());

describe('encrypted assertions', () => {
  it('logs in with a signed assertion encrypted for the SP, and publishes the encryption certificate', async () => {
    const minted = await idp.mint({ nameId: 'secret@example.com', groups: ['Dev1'] }, { encryptFor: sp.cert });
    expect(minted.xml).toContain('EncryptedAssertion');
    expect(minted.xml).not.toContain('secret@example.com');
    await postAcs(s.app, minted.base64).expect(303);
    const md = await request(s.app).get('/saml/metadata').expect(200);
    expect(md.text).toContain('use="encryption"');
  });

  it('refuses an RSA-SHA1 signature found inside the decrypted assertion, writing nothing', async () => {
    const before = await db.prisma.user.count();
    const minted = await idp.mint({ nameId: 'sha1-inside@example.com', groups: ['Dev1'] }, { encryptFor: sp.cert, signatureAlgorithm: RSA_SHA1, signResponse: false });
    expect(minted.xml).not.toContain('rsa-sha1');
    const res = await postAcs(s.app, minted.base64).expect(403);
    expect(res.text).toContain('ALGORITHM_NOT_ALLOWED');
    expect(await db.prisma.user.count()).toBe(before);
  });

  it('refuses an encrypted assertion when no SP decryption key is configured', async () => {
    const plain = samlApp(db, testConfig(db, idp.keys.cert));
    const minted = await idp.mint({ nameId: 'nokey@example.com', groups: ['Dev1'] }, { encryptFor: sp.cert });
    const res = await postAcs(plain.app, minted.base64).expect(403);
    expect(res.text).toContain('ASSERTION_INVALID');
  });
});
