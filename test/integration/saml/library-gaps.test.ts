/**
 * Why the ACS checks exist: node-saml 5.1, configured exactly as allot configures it, accepts each
 * of these hostile responses on its own (the ACS refuses every one: see refusals.test.ts). If a
 * library upgrade starts refusing one, this test says so and the check may become redundant.
 */
import { describe, expect, it } from 'vitest';
import { SAML } from '@node-saml/node-saml';
import { RSA_SHA1 } from '../../../src/demo/mint.js';
import { samlOptions } from '../../../src/saml/strategy.js';
import { b64, createTestIdp, TARGET } from '../../helpers/idp.js';

const idp = createTestIdp();
const noCache = { saveAsync: async () => null, getAsync: async () => null, removeAsync: async (k: string | null) => k };
const library = (responseSigned: boolean) => new SAML(samlOptions({ ...TARGET, certs: [idp.keys.cert], skewMs: 60_000 }, noCache, responseSigned));
const fiona = { nameId: 'fiona@example.com', groups: ['Dev1'] };

describe('what node-saml alone accepts', () => {
  it.each([
    ['a wrong Destination', { destination: 'https://evil.example/acs' }],
    ['a wrong Recipient', { recipient: 'https://evil.example/acs' }],
    ['a wrong Issuer', { issuer: 'https://evil-idp.example/' }],
    ['a holder-of-key confirmation', { confirmationMethod: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }],
    ['a Status other than Success beside a signed assertion', { statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester' }],
    ['an RSA-SHA1 signature', { signatureAlgorithm: RSA_SHA1 }],
  ])('accepts %s', async (_name, opts) => {
    const minted = await idp.mint(fiona, { signResponse: false, ...opts });
    const { profile } = await library(false).validatePostResponseAsync({ SAMLResponse: minted.base64 });
    expect(profile?.nameID).toBe('fiona@example.com');
  });

  it('accepts the same response twice (no replay cache)', async () => {
    const minted = await idp.mint(fiona);
    const saml = library(true);
    await saml.validatePostResponseAsync({ SAMLResponse: minted.base64 });
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: minted.base64 });
    expect(profile?.nameID).toBe('fiona@example.com');
  });

  it('ignores a broken Response signature unless Response signing is required', async () => {
    const minted = await idp.mint(fiona);
    const broken = b64(minted.xml.replace(/(<samlp:Response [^>]*IssueInstant=")[^"]+"/, '$11999-01-01T00:00:00Z"'));
    const { profile } = await library(false).validatePostResponseAsync({ SAMLResponse: broken });
    expect(profile?.nameID).toBe('fiona@example.com');
    await expect(library(true).validatePostResponseAsync({ SAMLResponse: broken })).rejects.toThrow(/signature/i);
  });
});
