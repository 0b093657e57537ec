import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { mappingImportBody } from '../../admin/schemas.js';
import { exportMappings, importMappings, type ImportReport } from '../../admin/services/mapping-import.js';
import { AppError, ValidationError } from '../../shared/errors.js';
import { withServices } from '../with-services.js';

const ACTOR = 'admin:cli';

/** `allot mappings export|import <file>`: the same JSON document and checks as the admin API. */
export function registerMappings(program: Command): void {
  const mappings = program.command('mappings').description('export or import group mappings as JSON');

  mappings
    .command('export')
    .argument('<file>', 'file to write, or - for standard output')
    .description('write every mapping to a JSON file that import accepts')
    .action(async (file: string) => {
      await withServices('allot mappings export', async ({ db, clock }) => {
        const doc = await exportMappings(db, clock.now());
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (file === '-') process.stdout.write(text);
        else {
          await writeFile(file, text, 'utf8');
          console.error(`Exported ${doc.mappings.length} mappings to ${file}.`);
        }
      });
    });

  mappings
    .command('import')
    .argument('<file>', 'JSON file as written by export ({mappings: [...]}), or - for standard input')
    .option('--merge', 'keep mappings absent from the file (default: they are deleted)')
    .option('--dry-run', 'check and report, write nothing')
    .option('--confirm', 'accept a set that leaves no active user with an admin role')
    .description('check the whole file, report, then apply it in one transaction')
    .action(async (file: string, opts: { merge?: boolean; dryRun?: boolean; confirm?: boolean }) => {
      const doc = await readJson(file);
      const parsed = mappingImportBody.safeParse({ ...doc, mode: opts.merge ? 'merge' : 'replace', dryRun: Boolean(opts.dryRun), confirm: Boolean(opts.confirm) });
      if (!parsed.success) {
        for (const i of parsed.error.issues) console.error(`  ${i.path.join('.') || '(file)'}: ${i.message}`);
        throw new ValidationError(`${file}: ${parsed.error.issues.length} problem(s); nothing was written`);
      }
      await withServices('allot mappings import', async ({ db }) => {
        try {
          print(await importMappings(db, parsed.data, ACTOR));
        } catch (e) {
          const report = e instanceof AppError ? (e.details as { problems?: { path: string; message: string }[] } | undefined) : undefined;
          if (report?.problems) {
            for (const p of report.problems) console.error(`  ${p.path}: ${p.message}`);
            throw new ValidationError(`${file}: ${report.problems.length} problem(s); nothing was written`);
          }
          throw e;
        }
      });
    });
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ValidationError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ValidationError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (Array.isArray(doc)) return { mappings: doc };
  if (typeof doc !== 'object' || doc === null) throw new ValidationError(`${file}: expected {"mappings": [...]} or a list of mappings`);
  return doc as Record<string, unknown>;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function print(r: ImportReport): void {
  const s = r.summary;
  console.log(`${r.applied ? 'Imported' : 'Dry run'}: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.unchanged} unchanged.`);
  console.log(`Users whose licenses a redistribution would change: ${r.affectedUsers}.`);
  if (!r.applied) console.log('Nothing was written.');
}
