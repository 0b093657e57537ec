/**
 * An independent IdP for the SAML tests: samlify signs Responses with keys generated in the test;
 * `hostile` helpers then edit the signed XML the way attackers do.
 */
import { createSelfSigned, type KeyAndCert } from '../../src/demo/self-signed.js';
import { mintResponse, type Claims, type MintOptions, type MintTarget, type Minted } from '../../src/demo/mint.js';

export const PUBLIC_URL = 'https://allot.test';
export const TARGET: MintTarget = {
  idpEntityId: 'https://idp.example.com/entity',
  ssoUrl: 'https://idp.example.com/sso',
  spEntityId: `${PUBLIC_URL}/saml/metadata`,
  acsUrl: `${PUBLIC_URL}/saml/acs`,
};

export interface TestIdp {
  readonly keys: KeyAndCert;
  /** A second key the SP does not trust (its certificate is embedded in KeyInfo by samlify). */
  readonly rogue: KeyAndCert;
  mint(claims: Claims, opts?: MintOptions & { keys?: KeyAndCert }): Promise<Minted>;
}

export function createTestIdp(): TestIdp {
  const keys = createSelfSigned('test IdP');
  const rogue = createSelfSigned('rogue IdP');
  return {
    keys,
    rogue,
    mint: (claims, opts = {}) => mintResponse(TARGET, opts.keys ?? keys, claims, opts),
  };
}

export const b64 = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');
