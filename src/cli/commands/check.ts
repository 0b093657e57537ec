import type { Command } from 'commander';
import { checkInvariants } from '../../allocation/invariants.js';
import { withServices } from '../with-services.js';

/** `allot check`: verifies the pool invariants (SPEC §1, §4); exits 1 with a report when one fails. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('verify the pool invariants: used = rows, used <= capacity, one primary per user, inactive users hold nothing')
    .option('--json', 'print the violations as JSON')
    .action(async (opts: { json?: boolean }) => {
      await withServices('allot check', async ({ db }) => {
        const violations = await checkInvariants(db.prisma);
        const licenses = await db.prisma.license.count();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ok: violations.length === 0, licenses, violations }, null, 2)}\n`);
        } else if (violations.length === 0) {
          process.stdout.write(`ok: the invariants hold (${licenses} license types checked)\n`);
        } else {
          process.stdout.write(`FAILED: ${violations.length} invariant violation(s)\n`);
          for (const v of violations) process.stdout.write(`  ${v.rule}  ${v.subject}: ${v.detail}\n`);
        }
        if (violations.length > 0) process.exitCode = 1;
      });
    });
}
