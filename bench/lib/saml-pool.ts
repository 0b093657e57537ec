/**
 * Pre-minted SAML responses for the benches: an IdP key generated for the run, samlify signing
 * (RSA-2048/SHA-256, Response and Assertion signed, five groups), one distinct assertion id per
 * response, and bare @node-saml validation of the same responses for the comparison figure.
 */
import { SAML } from '@node-saml/node-saml';
import { createSelfSigned, type KeyAndCert } from '../../src/demo/self-signed.js';
import { mintResponse, type MintTarget } from '../../src/demo/mint.js';
import { samlOptions } from '../../src/saml/strategy.js';

export interface BenchIdp {
  readonly keys: KeyAndCert;
  readonly target: MintTarget;
}

export function benchIdp(publicUrl: string): BenchIdp {
  return {
    keys: createSelfSigned('bench IdP'),
    target: { idpEntityId: 'https://idp.bench/entity', ssoUrl: 'https://idp.bench/sso', spEntityId: `${publicUrl}/saml/metadata`, acsUrl: `${publicUrl}/saml/acs` },
  };
}

export const BENCH_GROUPS = 20;
const groupsOf = (n: number): string[] => [`grp-${n % BENCH_GROUPS}`, `grp-${(n * 7 + 3) % BENCH_GROUPS}`, `dept-${n % 13}`, `site-${n % 5}`, 'all-staff'];

/** `count` IdP-initiated responses for users offset.. (user n % users), form-encoded for the ACS. */
export async function mintForms(idp: BenchIdp, count: number, opts: { users?: number; offset?: number; validForMs?: number; progress?: (done: number) => void } = {}): Promise<string[]> {
  const users = opts.users ?? count;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = (opts.offset ?? 0) + (i % users);
    const claims = { nameId: `user${n}@bench.example`, firstName: 'User', lastName: String(n), email: `user${n}@bench.example`, groups: groupsOf(n) };
    const { base64 } = await mintResponse(idp.target, idp.keys, claims, { validForMs: opts.validForMs ?? 15 * 60_000 });
    out.push(`SAMLResponse=${encodeURIComponent(base64)}`);
    if (i % 200 === 199) opts.progress?.(i + 1);
  }
  return out;
}

/** node-saml as the ACS configures it (60 s skew, Response signature required), with no request cache: the bare side of every comparison. */
export function bareSaml(target: MintTarget, cert: string): SAML {
  return new SAML(samlOptions({ ...target, certs: [cert], skewMs: 60_000 }, { saveAsync: async () => null, getAsync: async () => null, removeAsync: async (k) => k }, true));
}

export interface Validation {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/** Bare node-saml validatePostResponseAsync of these form bodies, one at a time, in this process. */
export async function bareValidation(idp: BenchIdp, forms: readonly string[]): Promise<Validation> {
  const saml = bareSaml(idp.target, idp.keys.cert);
  const responses = forms.map((f) => decodeURIComponent(f.slice('SAMLResponse='.length)));
  for (const r of responses.slice(0, 20)) await saml.validatePostResponseAsync({ SAMLResponse: r });
  const lat: number[] = [];
  const started = performance.now();
  for (const r of responses) {
    const t = performance.now();
    await saml.validatePostResponseAsync({ SAMLResponse: r });
    lat.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  lat.sort((a, b) => a - b);
  return { perSecond: responses.length / seconds, p50: percentile(lat, 50), p99: percentile(lat, 99) };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** License types and 20 mappings for the bench users (every group maps; capacity from the caller). */
export const BENCH_LICENSES = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner', 'bot-insight', 'process-discovery'];
export function benchMappings(): { idpGroup: string; roles: string[]; licenses: string[]; autoProvision: boolean }[] {
  return Array.from({ length: BENCH_GROUPS }, (_, i) => ({
    idpGroup: `grp-${i}`,
    roles: ['AAE_Basic'],
    licenses: [BENCH_LICENSES[i % 4]!, ...(i % 3 === 0 ? ['process-discovery'] : [])],
    autoProvision: true,
  }));
}
