/**
 * Throughput of the pure decision engine (SPEC §2, §3 redistributions): 10,000 synthetic users,
 * 200 mappings, 12 licences, from a seeded PRNG so every run measures the same work.
 *
 * Honest by construction:
 * - every decision is consumed (reason, lists and every trace section are folded into a checksum
 *   that is printed), so the engine cannot be optimised away and a lazy trace would be paid for;
 * - users carry 3-8 groups, most of them unmapped, with capitals as IdPs send them, and the
 *   case-insensitive mappings are hit with several spellings, so the lower-casing path runs;
 * - each round decides a fresh copy of the users (a JSON round trip, outside the timing), as the
 *   service reads them from the database for every decision: no string arrives with its hash
 *   already cached by the previous round (--reuse decides the same objects every round);
 * - the figure is the median (and best) of N rounds after warm-up, with ns/decision, CPU time and
 *   the load average, since other processes may share the machine.
 *
 * Run:  npx tsx bench/engine.ts [--rounds N] [--warmup N] [--reuse]
 * One core: taskset -c 1 npx tsx bench/engine.ts   (decide() is single-threaded; pinning also
 *           makes the GC and compiler threads share that core, which is the honest figure).
 * Load-independent: npx tsx bench/engine.ts --callgrind   (runs itself twice under valgrind
 *           and prints the instructions per decision from the difference; with --reuse, whose
 *           strings keep their cached hashes, which flatters Map look-ups a little).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { createDecisionContext } from '../src/domain/context.js';
import { decide, type Decision, type Subject } from '../src/domain/decide.js';
import { DEFAULT_POLICY, type HeldLicense, type Mapping, type Pool } from '../src/domain/types.js';

const USERS = 10_000;
const MAPPINGS = 200;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const ROUNDS = flag('rounds', 31);
const WARMUP = flag('warmup', 10);

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
    // Group names as directories spell them: some all lower case, most with capitals.
    idpGroup: caseInsensitive ? `Grp-CI-${i}` : i % 3 === 0 ? `grp-${i}` : `RPA-Team-${i}`,
    caseInsensitive,
    roles: i < 2 ? ['AAE_Admin'] : [pick(roleNames), ...(rand() < 0.3 ? [pick(roleNames)] : [])],
    licenses,
    autoProvision: rand() < 0.5,
    enabled: rand() > 0.05,
  });
}

/** How the IdP spells a mapped group: exactly, or in another case for case-insensitive mappings. */
function spelled(mapping: Mapping): string {
  if (!mapping.caseInsensitive) return mapping.idpGroup;
  const r = rand();
  if (r < 0.5) return mapping.idpGroup;
  return r < 0.75 ? mapping.idpGroup.toUpperCase() : mapping.idpGroup.toLowerCase();
}
// IdP directories hold far more groups than licence mappings: most of a user's groups map to nothing.
const otherGroups = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? `Dept-${i}` : `app-users-${i}`));

const subjects: Subject[] = [];
for (let u = 0; u < USERS; u++) {
  const groups: string[] = [];
  const size = 3 + int(6);
  // 0-3 mapped groups: about one user in eight has none and ends with NO_MAPPING.
  const mapped = rand() < 0.12 ? 0 : 1 + int(3);
  for (let g = 0; g < mapped; g++) groups.push(spelled(pick(mappings)));
  while (groups.length < size) groups.push(pick(otherGroups));
  const current: HeldLicense[] = [];
  if (rand() < 0.4) current.push({ key: pick(primaries), origin: 'mapping' });
  if (rand() < 0.3) current.push({ key: pick(addons), origin: 'mapping' });
  if (rand() < 0.05) current.push({ key: 'co-pilot', origin: 'manual' });
  subjects.push({ active: rand() > 0.05, groups: [...new Set(groups)], current, redistributeManual: rand() < 0.1 });
}

const ctx = createDecisionContext({ policy: DEFAULT_POLICY, preferenceOrder, mappings });

/**
 * Reads every part of a decision the service and the audit log use, trace sections included,
 * so none of it is dead code. Cheap next to decide(): a few field reads per section.
 */
function digest(d: Decision): number {
  const t = d.trace;
  let h = d.reason.length + d.roles.length + d.target.length + d.acquire.length + d.release.length;
  h += d.missing.length + d.manualKept.length + d.matchedMappingIds.length + (d.waiting ? 1 : 0);
  for (let i = 0; i < t.matched.length; i++) h += t.matched[i]!.matchedGroup.length;
  for (let i = 0; i < t.candidates.length; i++) h += t.candidates[i]!.rank ?? 7;
  h += t.rule.length + t.manual.kept.length + t.manual.revoked.length;
  for (let b = 0; b < t.bundles.length; b++) {
    const members = t.bundles[b]!.members;
    for (let i = 0; i < members.length; i++) h += members[i]!.available & 7;
  }
  return h + t.outcome.release.length + t.outcome.missing.length;
}

const REUSE = process.argv.includes('--reuse');
const subjectsJson = JSON.stringify(subjects);
/** The users for one round: fresh strings and objects, unless --reuse. */
function roundSubjects(): readonly Subject[] {
  return REUSE ? subjects : (JSON.parse(subjectsJson) as Subject[]);
}

let checksum = 0;
interface Round {
  readonly wallNs: number;
  readonly cpuNs: number;
}
function round(): Round {
  const users = roundSubjects();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let sum = 0;
  for (let i = 0; i < users.length; i++) sum += digest(decide(ctx, users[i] as Subject, pools));
  const wallNs = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  checksum = (checksum + sum) % 1_000_000_007;
  return { wallNs, cpuNs: (used.user + used.system) * 1000 };
}

function measure(): void {
  const loadBefore = loadavg();
  for (let i = 0; i < WARMUP; i++) round();
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(round());
  const loadAfter = loadavg();

  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)] ?? 0;
  };
  const wall = rounds.map((r) => r.wallNs / USERS);
  const cpu = rounds.map((r) => r.cpuNs / USERS);
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  const rate = (ns: number): string => `${fmt(1e9 / ns)} decisions/s (${ns.toFixed(0)} ns/decision)`;

  const reasons = new Map<string, number>();
  let groups = 0;
  for (const s of subjects) {
    const r = decide(ctx, s, pools).reason;
    reasons.set(r, (reasons.get(r) ?? 0) + 1);
    groups += s.groups.length;
  }
  const load = (l: number[]): string => l.map((x) => x.toFixed(2)).join(' ');
  console.log(
    `decide(): users=${USERS} mappings=${MAPPINGS} licences=${pools.size} groups/user=${(groups / USERS).toFixed(1)}; ` +
      `${ROUNDS} rounds after ${WARMUP} warm-up; ${REUSE ? 'same user objects every round' : 'fresh user objects every round'}; node ${process.version}; cpus available to this process: ${availableParallelism()}`,
  );
  console.log(`median: ${rate(median(wall))}`);
  console.log(`best:   ${rate(Math.min(...wall))}`);
  console.log(`worst:  ${rate(Math.max(...wall))}`);
  console.log(`cpu-time median (process, all threads): ${rate(median(cpu))}`);
  console.log(`load average before: ${load(loadBefore)}; after: ${load(loadAfter)}`);
  console.log(`reasons: ${[...reasons].map(([r, n]) => `${r}=${n}`).join(' ')}; checksum ${checksum}`);
}

/**
 * Instructions per decision, independent of the machine's load: runs this bench twice under
 * callgrind with the same warm-up and a different number of rounds; the difference in executed
 * instructions divided by the extra decisions excludes start-up, data generation and JIT warm-up.
 */
function callgrind(): void {
  const [short, long] = [1, 6];
  const warmup = process.argv.includes('--warmup') ? WARMUP : 5;
  const instructions = (rounds: number): number => {
    const args = [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      process.execPath,
      // No background compiler or GC threads: the same instructions run every time.
      '--single-threaded',
      ...process.execArgv,
      process.argv[1] as string,
      '--rounds',
      String(rounds),
      '--warmup',
      String(warmup),
      // Same objects every round: a fresh copy per round would add its parsing to the difference.
      '--reuse',
    ];
    const run = spawnSync('valgrind', args, { encoding: 'utf8' });
    const collected = /Collected : (\d+)/.exec(run.stderr);
    if (!collected) throw new Error(`valgrind failed: ${run.error?.message ?? run.stderr.slice(-500)}`);
    return Number(collected[1]);
  };
  const a = instructions(short);
  const b = instructions(long);
  const perDecision = (b - a) / ((long - short) * USERS);
  console.log(`callgrind: ${Math.round(perDecision).toLocaleString('en-US')} instructions/decision (${long} vs ${short} rounds after ${warmup} warm-up, --reuse)`);
}

if (process.argv.includes('--callgrind')) callgrind();
else measure();
