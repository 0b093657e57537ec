import os from 'node:os';
import type { Command } from 'commander';
import { ValidationError } from '../../shared/errors.js';
import type { RedistributionScope } from '../../jobs/types.js';
import { withServices } from '../with-services.js';
import { progressView, summaryTable } from './redistribute-output.js';

interface Options {
  role?: string;
  mapping?: string;
  user?: string;
  redistributeManual?: boolean;
  dryRun?: boolean;
  batchSize?: string;
  json?: boolean;
}

const POLL_MS = 200;

/**
 * `allot redistribute`: runs a redistribution in this process (SPEC §3, §6) and follows it. A
 * redistribution interrupted earlier (its process died) is resumed and finished first.
 */
export function registerRedistribute(program: Command): void {
  program
    .command('redistribute')
    .description('re-decide the licenses of all users, or of one role, mapping or user')
    .option('--role <role>', 'only users holding this role')
    .option('--mapping <mapping>', 'only users matched by this mapping (id or idpGroup)')
    .option('--user <user>', 'only this user (nameId or id)')
    .option('--redistribute-manual', 'revoke manual allocations and treat their holders like everyone else')
    .option('--dry-run', 'compute and print the changes without writing anything')
    .option('--batch-size <n>', 'users per transaction (default: config jobs.batchSize)')
    .option('--json', 'print the finished job as JSON, without progress')
    .action(async (opts: Options) => {
      const scope = scopeOf(opts);
      const batchSize = opts.batchSize === undefined ? undefined : Number(opts.batchSize);
      if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) throw new ValidationError('--batch-size must be a positive integer');
      await withServices('allot redistribute', async ({ jobs }) => {
        const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
        try {
          for (const id of await jobs.recover()) {
            log(`Resuming interrupted redistribution ${id}…`);
            await jobs.idle();
            log(`Redistribution ${id}: ${(await jobs.get(id)).status}`);
          }
          const params = { scope, redistributeManual: Boolean(opts.redistributeManual), dryRun: Boolean(opts.dryRun), ...(batchSize ? { batchSize } : {}) };
          const started = await jobs.startRedistribution(params, `cli:${os.userInfo().username}`);
          const cancel = () => void jobs.cancel(started.id, `cli:${os.userInfo().username}`).catch(() => {});
          process.once('SIGINT', cancel);
          const view = opts.json ? null : progressView(Boolean(process.stdout.isTTY), log);
          let job = await jobs.get(started.id);
          while (job.status === 'queued' || job.status === 'running') {
            view?.update(job);
            await Promise.race([jobs.idle(), new Promise((r) => setTimeout(r, POLL_MS))]);
            job = await jobs.get(started.id);
          }
          view?.update(job);
          view?.stop();
          process.removeListener('SIGINT', cancel);
          if (opts.json) process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
          else process.stdout.write(`${summaryTable(job)}\n`);
          if (job.status !== 'succeeded') process.exitCode = 1;
        } finally {
          await jobs.stop();
        }
      });
    });
}

function scopeOf(opts: Options): RedistributionScope {
  const given = (['role', 'mapping', 'user'] as const).filter((k) => opts[k] !== undefined);
  if (given.length > 1) throw new ValidationError(`choose one of --role, --mapping, --user (got ${given.map((g) => `--${g}`).join(', ')})`);
  if (opts.role !== undefined) return { role: opts.role };
  if (opts.mapping !== undefined) return { mapping: opts.mapping };
  if (opts.user !== undefined) return { user: opts.user };
  return { all: true };
}
