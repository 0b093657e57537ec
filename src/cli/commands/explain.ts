import type { Command } from 'commander';
import { formatTrace, type ReasonCode, type Trace } from '../../domain/index.js';
import { withServices } from '../with-services.js';

/** `allot explain <user>`: the decision trace recomputed from current data, and the last one applied. */
export function registerExplain(program: Command): void {
  program
    .command('explain')
    .argument('<user>', 'nameId or id of the user')
    .option('--json', 'print JSON instead of text')
    .description('explain why a user holds (or does not hold) each license')
    .action(async (user: string, opts: { json?: boolean }) => {
      await withServices(`allot explain ${user}`, async ({ allocation, db }) => {
        const e = await allocation.explain(user);
        const held = await db.prisma.allocation.findMany({ where: { userId: e.userId }, orderBy: { licenseKey: 'asc' } });
        if (opts.json) {
          console.log(JSON.stringify({ ...e, holds: held.map((h) => ({ key: h.licenseKey, origin: h.origin })) }, null, 2));
          return;
        }
        console.log(`User ${e.nameId} (${e.userId})`);
        console.log(`Holds now: ${held.length === 0 ? '(nothing)' : held.map((h) => `${h.licenseKey} [${h.origin}]`).join(', ')}`);
        console.log('');
        console.log('Decision from current data:');
        console.log(indent(formatTrace({ reason: e.current.reason, trace: e.current.trace })));
        console.log('');
        if (!e.last) {
          console.log('No decision has been applied to this user yet.');
        } else {
          console.log(`Last applied decision (${e.last.decidedAt?.toISOString() ?? 'unknown time'}):`);
          console.log(indent(formatTrace({ reason: e.last.reason as ReasonCode, trace: e.last.trace as Trace })));
        }
      });
    });
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
