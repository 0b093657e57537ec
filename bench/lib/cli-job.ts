/**
 * Runs `allot redistribute --json` as a user would (the compiled CLI, against a PostgreSQL database)
 * and watches the process running the job from outside through /proc: its resident memory (VmRSS,
 * and VmHWM, the kernel's own peak), its CPU time, and the CPU time of the PostgreSQL backends serving
 * it (its connections carry an application_name). Linux only; the database must be local for the
 * backends' CPU to be read.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP = 'allot-bench-cli-job';
const SAMPLE_MS = 50;
const TICKS_PER_SECOND = 100;

export interface CliJobFigures {
  readonly status: string;
  /** finishedAt − startedAt of the job row. */
  readonly seconds: number;
  readonly moved: number;
  /** RSS of the process when the job row turned running (startup, migrations check and caches done). */
  readonly rssAtStart: number;
  /** VmHWM: the highest RSS the kernel saw for the process running the job. */
  readonly peak: number;
  /** RSS of bin/allot.js when it only launched the job process (0 when it ran the job itself). */
  readonly launcherRss: number;
  /** CPU time of the CLI process from its start to its last sample (startup included). */
  readonly cpuSeconds: number;
  /** CPU time of its PostgreSQL backends, or null when /proc does not show them. */
  readonly dbCpuSeconds: number | null;
}

/** Compiles src/ to dist/ (what `npm ci` and `npm run build` do), so the CLI runs this tree. */
export function buildCli(): void {
  const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('tsc -p tsconfig.build.json failed');
}

/** `nodeFlags` go before the script (e.g. --max-old-space-size=128), as a deployment would set them. */
export async function runCliRedistribution(url: string, batchSize: number, nodeFlags: readonly string[] = []): Promise<CliJobFigures> {
  const withApp = new URL(url);
  withApp.searchParams.set('application_name', APP);
  const child = spawn(process.execPath, [...nodeFlags, path.join(ROOT, 'bin/allot.js'), 'redistribute', '--json', '--batch-size', String(batchSize)], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'error', ALLOT_DEMO: 'false', DATABASE_URL: withApp.toString() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  // bin/allot.js starts the job in a second process (heap cap, see there): measure that one.
  const launcher = child.pid!;
  let pid = launcher;
  let launcherRss = 0;
  let rssAtStart = 0;
  let peak = 0;
  let cpuTicks = 0;
  const backendTicks = new Map<number, number>();
  let running = false;
  let done = false;
  void exited.then(() => (done = true));
  let round = 0;
  while (!done) {
    if (pid === launcher) {
      const children = readProc(`/proc/${launcher}/task/${launcher}/children`)?.trim();
      if (children) pid = Number(children.split(' ')[0]);
    } else {
      const own = readProc(`/proc/${launcher}/status`);
      if (own) launcherRss = kb(own, 'VmRSS');
    }
    const status = readProc(`/proc/${pid}/status`);
    const stat = readProc(`/proc/${pid}/stat`);
    if (status) peak = Math.max(peak, kb(status, 'VmHWM'), kb(status, 'VmRSS'));
    if (stat) cpuTicks = ticks(stat);
    if (round++ % 5 === 0) {
      const { rows } = await watcher.query<{ pid: number; status: string | null }>(
        `SELECT pid, (SELECT status::text FROM job ORDER BY created_at DESC LIMIT 1) AS status FROM pg_stat_activity WHERE application_name = $1`,
        [APP],
      );
      for (const r of rows) {
        const s = readProc(`/proc/${r.pid}/stat`);
        if (s) backendTicks.set(r.pid, ticks(s));
      }
      if (!running && rows[0]?.status === 'running' && status) [running, rssAtStart] = [true, kb(status, 'VmRSS')];
    }
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
  const code = await exited;
  await watcher.end();
  if (code !== 0 || !stdout.trim().startsWith('{')) throw new Error(`allot redistribute exited with ${code}: ${stdout}`);
  const job = JSON.parse(stdout) as { status: string; startedAt: string; finishedAt: string; summary: { totals: { moved: number } } };
  const sum = [...backendTicks.values()].reduce((a, b) => a + b, 0);
  return {
    status: job.status,
    seconds: (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000,
    moved: job.summary.totals.moved,
    rssAtStart,
    peak,
    launcherRss,
    cpuSeconds: cpuTicks / TICKS_PER_SECOND,
    dbCpuSeconds: backendTicks.size === 0 ? null : sum / TICKS_PER_SECOND,
  };
}

function readProc(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null; // the process or backend is gone
  }
}

/** A "Name:   123 kB" line of /proc/<pid>/status, in bytes. */
function kb(status: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15; the name in parentheses may hold spaces). */
function ticks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
