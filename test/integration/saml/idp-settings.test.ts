import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelfSigned } from '../../../src/demo/self-signed.js';
import { configuredSettings, parseIdpMetadata } from '../../../src/saml/settings.js';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';
import { seedLicenses, seedMapping, specLicenses } from '../../helpers/seed.js';
import { createTestIdp, TARGET, type TestIdp } from '../../helpers/idp.js';
import { postAcs, samlApp, testConfig } from '../../helpers/saml-app.js';

let db: TestDb;
let idp: TestIdp;
const dir = mkdtempSync(path.join(tmpdir(), 'allot-saml-'));
const body = (pem: string): string => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

function metadata(certs: string[]): string {
  const kd = certs.map((c) => `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`);
  return `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${TARGET.idpEntityId}">
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${kd.join('')}
<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/post"/>
<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${TARGET.ssoUrl}"/>
</md:IDPSSODescriptor></md:EntityDescriptor>`;
}

beforeAll(async () => {
  db = await createTestDb();
  idp = createTestIdp();
  await seedLicenses(db, specLicenses(5));
  await seedMapping(db, { idpGroup: 'Dev1', licenses: ['citizen-developer'] });
});
afterAll(async () => db?.destroy());

describe('IdP settings', () => {
  it('reads entityID, the Redirect SSO URL and every signing certificate from IdP metadata', () => {
    const next = createSelfSigned('next IdP key');
    const md = parseIdpMetadata(metadata([idp.keys.cert, next.cert]));
    expect(md.entityId).toBe(TARGET.idpEntityId);
    expect(md.ssoUrl).toBe(TARGET.ssoUrl);
    expect(md.certs.map(body)).toEqual([body(idp.keys.cert), body(next.cert)]);
  });

  it('refuses IdP metadata with a DOCTYPE or without a signing certificate', () => {
    expect(() => parseIdpMetadata(`<!DOCTYPE x []>${metadata([idp.keys.cert])}`)).toThrow(/DOCTYPE/);
    expect(() => parseIdpMetadata(metadata([]))).toThrow(/signing certificate/);
  });

  it('logs in with an IdP configured by a metadata file, and with either of two certificates during a rollover', async () => {
    const next = createSelfSigned('next IdP key');
    const file = path.join(dir, 'idp.xml');
    writeFileSync(file, metadata([idp.keys.cert, next.cert]));
    const config = testConfig(db, idp.keys.cert, { idp: { metadataFile: file, certs: [] } });
    expect(configuredSettings(config).certs).toHaveLength(2);
    const s = samlApp(db, config);
    await postAcs(s.app, (await idp.mint({ nameId: 'old-key@example.com', groups: ['Dev1'] })).base64).expect(303);
    await postAcs(s.app, (await idp.mint({ nameId: 'new-key@example.com', groups: ['Dev1'] }, { keys: next })).base64).expect(303);
    await postAcs(s.app, (await idp.mint({ nameId: 'rogue@example.com', groups: ['Dev1'] }, { keys: idp.rogue })).base64).expect(403);
  });

  it('accepts certificates given as file paths', async () => {
    const file = path.join(dir, 'idp.crt');
    writeFileSync(file, idp.keys.cert);
    const s = samlApp(db, testConfig(db, file));
    await postAcs(s.app, (await idp.mint({ nameId: 'path-cert@example.com', groups: ['Dev1'] })).base64).expect(303);
  });

  it('names the missing key when the IdP is only partly configured', () => {
    const config = testConfig(db, idp.keys.cert, { idp: { entityId: TARGET.idpEntityId, certs: [idp.keys.cert] } });
    expect(() => configuredSettings(config)).toThrow(/saml\.idp\.ssoUrl/);
  });
});
