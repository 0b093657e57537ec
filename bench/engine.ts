/**
 * Throughput of the pure decision engine (SPEC §2, §3 redistributions): 10,000 synthetic users,
 * 200 mappings, 12 licences. The data comes from a seeded PRNG so every run measures the same work.
 * Run: npx tsx bench/engine.ts [rounds]
 */
import { createDecisionContext } from '../src/domain/context.js';
import { decide, type Subject } from '../src/domain/decide.js';
import { DEFAULT_POLICY, type HeldLicense, type Mapping, type Pool } from '../src/domain/types.js';

const USERS = 10_000;
const MAPPINGS = 200;
const ROUNDS = Number(process.argv[2] ?? 15);

/** mulberry32: a tiny seeded PRNG, enough to spread synthetic data deterministically. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20240601);
const int = (n: number): number => Math.floor(rand() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

const preferenceOrder = ['bot-creator', 'citizen-developer', 'attended-bot-runner', 'unattended-bot-runner'];
const primaries = [...preferenceOrder, 'legacy-runner'];
const addons = ['bot-insight', 'process-discovery', 'iq-bot', 'document-automation', 'api-tasks', 'ai-agent', 'co-pilot'];
const pools = new Map<string, Pool>();
for (const key of [...primaries, ...addons]) {
  const capacity = 500 + int(4000);
  // About one pool in ten sold out, so the bench exercises failing bundles too.
  const used = rand() < 0.1 ? capacity : int(capacity);
  pools.set(key, { key, kind: primaries.includes(key) ? 'primary' : 'addon', capacity, used });
}

const roleNames = ['AAE_Basic', 'AAE_Bot_Creator', 'AAE_Citizen', 'AAE_Runner', 'AAE_Viewer', 'AAE_Auditor'];
const mappings: Mapping[] = [];
for (let i = 0; i < MAPPINGS; i++) {
  const caseInsensitive = i % 10 === 3;
  const licenses: string[] = [];
  const shape = rand();
  if (shape < 0.7) licenses.push(pick(primaries));
  if (shape < 0.9) for (let a = int(3); a > 0; a--) licenses.push(pick(addons));
  mappings.push({
    id: `m${String(i).padStart(4, '0')}`,
    idpGroup: caseInsensitive ? `Grp-CI-${i}` : `grp-${i}`,
    caseInsensitive,
    roles: i < 2 ? ['AAE_Admin'] : [pick(roleNames), ...(rand() < 0.3 ? [pick(roleNames)] : [])],
    licenses,
    autoProvision: rand() < 0.5,
    enabled: rand() > 0.05,
  });
}
// IdP directories hold far more groups than licence mappings: most of a user's groups map to nothing.
const mappedGroups = mappings.map((m) => (m.caseInsensitive ? m.idpGroup.toLowerCase() : m.idpGroup));
const otherGroups = Array.from({ length: 2000 }, (_, i) => `dept-${i}`);

const subjects: Subject[] = [];
for (let u = 0; u < USERS; u++) {
  const groups: string[] = [];
  const size = 3 + int(6);
  for (let g = 1 + int(3); g > 0; g--) groups.push(pick(mappedGroups));
  while (groups.length < size) groups.push(pick(otherGroups));
  const current: HeldLicense[] = [];
  if (rand() < 0.4) current.push({ key: pick(primaries), origin: 'mapping' });
  if (rand() < 0.3) current.push({ key: pick(addons), origin: 'mapping' });
  if (rand() < 0.05) current.push({ key: 'co-pilot', origin: 'manual' });
  subjects.push({ active: rand() > 0.05, groups, current, redistributeManual: rand() < 0.1 });
}

const ctx = createDecisionContext({ policy: DEFAULT_POLICY, preferenceOrder, mappings });

let checksum = 0;
function round(): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < subjects.length; i++) {
    const decision = decide(ctx, subjects[i] as Subject, pools);
    checksum += decision.target.length + decision.reason.length;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return subjects.length / seconds;
}

for (let i = 0; i < 5; i++) round();
const rates: number[] = [];
const start = process.hrtime.bigint();
for (let i = 0; i < ROUNDS; i++) rates.push(round());
const total = (USERS * ROUNDS) / (Number(process.hrtime.bigint() - start) / 1e9);
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)] ?? 0;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const reasons = new Map<string, number>();
for (const s of subjects) {
  const r = decide(ctx, s, pools).reason;
  reasons.set(r, (reasons.get(r) ?? 0) + 1);
}
console.log(`decide(): ${fmt(total)} decisions/s (users=${USERS} mappings=${MAPPINGS} licences=${pools.size})`);
console.log(`median over ${ROUNDS} rounds: ${fmt(median)} decisions/s; checksum ${checksum}`);
console.log(`reasons: ${[...reasons].map(([r, n]) => `${r}=${n}`).join(' ')}`);
