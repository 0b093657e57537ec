/** node-saml's own EncryptedAssertion decryption (xml-encryption), so our pre-check decrypts exactly as the library does. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const xml = require('@node-saml/node-saml/lib/xml.js') as { decryptXml(xml: string, key: string | Buffer): Promise<string> };

export const decryptXml = (encrypted: string, key: string): Promise<string> => xml.decryptXml(encrypted, key);
