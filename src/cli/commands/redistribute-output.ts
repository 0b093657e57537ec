/**
 * What `allot redistribute` prints: a progress bar on a terminal, plain progress lines otherwise,
 * and a summary table at the end.
 */
import cliProgress from 'cli-progress';
import type { JobView } from '../../jobs/types.js';
import type { RedistributionSummary } from '../../jobs/redistribution-state.js';

export interface ProgressView {
  update(job: JobView): void;
  stop(): void;
}

const PHASE_LABEL: Record<string, string> = {
  queued: 'starting',
  release: 'releasing',
  evict: 'lowering capacity',
  holders: 'deciding holders',
  others: 'deciding others',
  done: 'done',
};

/** Bar on a TTY; elsewhere a line per phase change and per tenth of the way. */
export function progressView(tty: boolean, write: (line: string) => void): ProgressView {
  const bar = tty ? new cliProgress.SingleBar({ format: '{phase} [{bar}] {percentage}% | {value}/{total} users', hideCursor: true }, cliProgress.Presets.shades_classic) : null;
  let started = false;
  let lastLine = '';
  return {
    update(job) {
      const s = job.summary as Partial<RedistributionSummary>;
      const phase = s.phase ?? 'queued';
      const [value, total] = phase === 'release' ? [s.release?.processed ?? 0, s.release?.total ?? 0] : [job.processed, job.total];
      const label = PHASE_LABEL[phase] ?? phase;
      if (bar) {
        if (!started) bar.start(Math.max(total, 1), value, { phase: label });
        started = true;
        bar.setTotal(Math.max(total, 1));
        bar.update(value, { phase: label });
        return;
      }
      const tenth = total === 0 ? 10 : Math.floor((value * 10) / total);
      const line = `${label}: ${tenth * 10}%`;
      if (line !== lastLine) {
        lastLine = line;
        write(`${label}: ${value}/${total} users`);
      }
    },
    stop() {
      if (bar && started) bar.stop();
    },
  };
}

/** The end-of-run report: status, per-reason counts and per-licence seats. */
export function summaryTable(job: JobView): string {
  const s = job.summary as Partial<RedistributionSummary>;
  const lines: string[] = [];
  lines.push(`Redistribution ${job.id}: ${job.status}${s.dryRun ? ' (dry run: nothing was written)' : ''}`);
  if (job.error) lines.push(`Error: ${job.error}`);
  lines.push(`Users decided: ${job.processed}/${job.total}; holdings changed: ${s.totals?.moved ?? 0}; capacity evictions: ${s.totals?.evicted ?? 0}`);
  lines.push('');
  lines.push(table(['reason', 'users'], Object.entries(s.totals?.reasons ?? {}).sort().map(([r, n]) => [r, String(n)])));
  lines.push('');
  const before = new Map((s.licensesBefore ?? []).map((l) => [l.key, l]));
  const rows = (s.licensesAfter ?? s.licensesBefore ?? []).map((l) => {
    const flow = s.totals?.licenses[l.key];
    const b = before.get(l.key);
    return [l.key, String(l.capacity), String(b?.used ?? ''), String(l.used), `+${flow?.acquired ?? 0}`, `-${flow?.released ?? 0}`];
  });
  lines.push(table(['license', 'capacity', 'used before', 'used after', 'acquired', 'released'], rows));
  if (s.diff && s.diff.length > 0) {
    lines.push('');
    lines.push(`Changes${s.diffTruncated ? ` (first ${s.diff.length})` : ''}:`);
    for (const d of s.diff.slice(0, 50)) {
      lines.push(`  ${d.nameId}: ${keys(d.before)} -> ${keys(d.after)} (${d.reason})`);
    }
    if (s.diff.length > 50) lines.push(`  … ${s.diff.length - 50} more (use --json for all)`);
  }
  return lines.join('\n');
}

function keys(rows: readonly { key: string; origin: string }[]): string {
  return rows.length === 0 ? '(nothing)' : rows.map((r) => (r.origin === 'manual' ? `${r.key}(manual)` : r.key)).join('+');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
