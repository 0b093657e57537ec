import type { Command } from 'commander';
import { createToken, listTokens, revokeToken, type Scope } from '../../auth/tokens.js';
import { writeAudit } from '../../audit/write.js';
import { withTx } from '../../db/transaction.js';
import { tokenBody, tokenName } from '../../admin/schemas.js';
import { ValidationError } from '../../shared/errors.js';
import { withServices } from '../with-services.js';

const ACTOR = 'admin:cli';

/** `allot token create|list|revoke` (SPEC §6): the secret is printed once, only its hash is stored. */
export function registerToken(program: Command): void {
  const token = program.command('token').description('manage API tokens (admin, read, scim)');

  token
    .command('create')
    .requiredOption('--name <name>', 'unique token name (letters, digits, . _ -)')
    .requiredOption('--scope <scope>', 'admin | read | scim')
    .option('--json', 'print JSON')
    .description('create a token and print its secret (shown this once)')
    .action(async (opts: { name: string; scope: string; json?: boolean }) => {
      const parsed = tokenBody.safeParse({ name: opts.name, scope: opts.scope });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new ValidationError(`--${issue.path.join('.')}: ${issue.message}`);
      }
      await withServices(`allot token create ${opts.name}`, async ({ db }) => {
        const { token: secret, info } = await createToken(db, parsed.data.name, parsed.data.scope as Scope);
        await withTx(db, (tx) => writeAudit(tx, { actor: ACTOR, action: 'token.create', subject: info.name, after: { name: info.name, scope: info.scope } }));
        if (opts.json) console.log(JSON.stringify({ name: info.name, scope: info.scope, token: secret }));
        else {
          console.log(secret);
          console.error(`Token ${info.name} (scope ${info.scope}) created. Store the secret now: it cannot be shown again.`);
        }
      });
    });

  token
    .command('list')
    .option('--json', 'print JSON')
    .description('list tokens (never their secrets)')
    .action(async (opts: { json?: boolean }) => {
      await withServices('allot token list', async ({ db }) => {
        const tokens = await listTokens(db);
        if (opts.json) return console.log(JSON.stringify(tokens, null, 2));
        if (tokens.length === 0) return console.log('No tokens.');
        const rows = tokens.map((t) => [t.name, t.scope, iso(t.createdAt), iso(t.lastUsedAt), t.revokedAt ? `revoked ${iso(t.revokedAt)}` : 'active']);
        const header = ['NAME', 'SCOPE', 'CREATED', 'LAST USED', 'STATUS'];
        const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
      });
    });

  token
    .command('revoke')
    .argument('<name>', 'token name')
    .description('revoke a token: it stops working at once')
    .action(async (name: string) => {
      if (!tokenName.safeParse(name).success) throw new ValidationError(`unknown token name ${name}`);
      await withServices(`allot token revoke ${name}`, async ({ db, clock }) => {
        const info = await revokeToken(db, name, clock.now());
        await withTx(db, (tx) => writeAudit(tx, { actor: ACTOR, action: 'token.revoke', subject: info.name }));
        console.log(`Token ${info.name} revoked.`);
      });
    });
}

function iso(d: Date | null): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}
