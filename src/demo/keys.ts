/**
 * The demo IdP's key and self-signed certificate (SPEC §8): generated on first run and kept under
 * the data directory, so the SP trusts the same certificate across restarts.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createSelfSigned, type KeyAndCert } from './self-signed.js';

/** Reads the demo keys from `dir`, generating them once (another process may race: first writer wins). */
export async function loadOrCreateKeys(dir: string, commonName: string): Promise<KeyAndCert> {
  const keyFile = path.join(dir, 'demo-idp.key');
  const certFile = path.join(dir, 'demo-idp.crt');
  const read = async (): Promise<KeyAndCert> => ({ privateKey: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') });
  try {
    return await read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const keys = createSelfSigned(commonName);
  await mkdir(dir, { recursive: true });
  try {
    await writeFile(keyFile, keys.privateKey, { flag: 'wx', mode: 0o600 });
    await writeFile(certFile, keys.cert, { flag: 'wx' });
    return keys;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    await new Promise((r) => setTimeout(r, 200));
    return read();
  }
}
