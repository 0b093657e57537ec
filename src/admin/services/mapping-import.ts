/**
 * Mapping import and export as JSON (SPEC §6, API and CLI). An import is checked as a whole and
 * reported (every problem, and how many mappings it would create, update, delete) before anything
 * is written; then it is applied in one transaction. Mappings are matched by idpGroup, so an
 * export imported elsewhere lands on the same groups.
 */
import type { Db } from '../../db/client.js';
import { withTx } from '../../db/transaction.js';
import { writeAudit } from '../../audit/write.js';
import type { Mapping } from '../../domain/index.js';
import { ValidationError } from '../../shared/errors.js';
import type { MappingImport, MappingInput } from '../schemas.js';
import { guardAdminLockout, impactOf } from './impact.js';
import { checkMappingSet, type MappingProblem } from './mapping-rules.js';
import { licenseKinds } from './mappings.js';
import { lockConfiguration } from './config-lock.js';
import { loadPopulation } from './population.js';

export interface ImportReport {
  readonly applied: boolean;
  readonly problems: readonly MappingProblem[];
  readonly summary: { create: number; update: number; delete: number; unchanged: number };
  readonly affectedUsers: number;
}

const FIELDS = ['description', 'roles', 'licenses', 'autoProvision', 'enabled', 'caseInsensitive'] as const;

export async function exportMappings(db: Db, now: Date): Promise<{ version: 1; exportedAt: string; mappings: MappingInput[] }> {
  const rows = await db.prisma.groupMapping.findMany({ orderBy: [{ idpGroup: 'asc' }, { id: 'asc' }] });
  return { version: 1, exportedAt: now.toISOString(), mappings: rows.map(toInput) };
}

export async function importMappings(db: Db, input: MappingImport, actor: string): Promise<ImportReport> {
  return withTx(db, async (tx) => {
    if (!input.dryRun) await lockConfiguration(tx);
    const problems = checkMappingSet(input.mappings, await licenseKinds(tx));
    const pop = await loadPopulation(tx);
    const existing = new Map(pop.mappings.map((m) => [m.idpGroup, m]));
    const incoming = new Set(input.mappings.map((m) => m.idpGroup));
    const creates = input.mappings.filter((m) => !existing.has(m.idpGroup));
    const updates = input.mappings.filter((m) => existing.has(m.idpGroup) && !same(existing.get(m.idpGroup)!, m));
    const deletes = input.mode === 'replace' ? pop.mappings.filter((m) => !incoming.has(m.idpGroup)) : [];
    const summary = { create: creates.length, update: updates.length, delete: deletes.length, unchanged: input.mappings.length - creates.length - updates.length };
    if (problems[0]) throw new ValidationError(`${problems[0].path}: ${problems[0].message}`, { problems, summary });

    const proposed: Mapping[] = [
      ...pop.mappings.filter((m) => !deletes.includes(m)).map((m) => ({ ...m, ...(input.mappings.find((i) => i.idpGroup === m.idpGroup) ?? {}) })),
      ...creates.map((m, i) => ({ id: `new-${i}`, ...m })),
    ];
    const impact = impactOf(pop, { mappings: proposed });
    if (!input.dryRun) guardAdminLockout(impact, input.confirm);
    const report: ImportReport = { applied: !input.dryRun, problems: [], summary, affectedUsers: impact.affectedUsers };
    if (input.dryRun) return report;

    if (deletes.length > 0) await tx.groupMapping.deleteMany({ where: { id: { in: deletes.map((m) => m.id) } } });
    for (const m of updates) await tx.groupMapping.update({ where: { idpGroup: m.idpGroup }, data: m });
    if (creates.length > 0) await tx.groupMapping.createMany({ data: creates });
    await writeAudit(tx, { actor, action: 'mapping.import', subject: input.mode, after: { summary, idpGroups: input.mappings.map((m) => m.idpGroup) } });
    return report;
  });
}

function toInput(m: Mapping & { description: string }): MappingInput {
  return {
    idpGroup: m.idpGroup,
    description: m.description,
    roles: [...m.roles],
    licenses: [...m.licenses],
    autoProvision: m.autoProvision,
    enabled: m.enabled,
    caseInsensitive: m.caseInsensitive,
  };
}

function same(a: Mapping & { description?: string }, b: MappingInput): boolean {
  const x = toInput({ description: '', ...a });
  return FIELDS.every((f) => JSON.stringify(x[f]) === JSON.stringify(b[f]));
}
