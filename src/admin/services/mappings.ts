/**
 * Group mappings CRUD (SPEC §1, §6). Each write runs in one transaction: validate, check the
 * admin lock-out guard on the resulting set, write, audit. Nobody is re-decided (SPEC §3); the
 * answer carries how many users a redistribution would change.
 */
import type { Db } from '../../db/client.js';
import { withTx, type Tx } from '../../db/transaction.js';
import { writeAudit } from '../../audit/write.js';
import type { LicenseKind, Mapping } from '../../domain/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors.js';
import type { MappingInput, MappingPatch } from '../schemas.js';
import { guardAdminLockout, impactOf, relevantGroups } from './impact.js';
import { loadSettings } from '../../allocation/settings.js';
import { checkMapping, type MappingProblem } from './mapping-rules.js';
import { lockConfiguration } from './config-lock.js';
import { loadPopulation } from './population.js';

export interface MappingRow extends Mapping {
  readonly description: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export async function listMappings(db: Db): Promise<MappingRow[]> {
  return db.prisma.groupMapping.findMany({ orderBy: [{ idpGroup: 'asc' }, { id: 'asc' }] });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Mapping ids are UUIDs; anything else cannot exist (and would make the database complain). */
function findMapping(tx: Pick<Tx, 'groupMapping'>, id: string) {
  return UUID.test(id) ? tx.groupMapping.findUnique({ where: { id: id.toLowerCase() } }) : Promise.resolve(null);
}

export async function getMapping(db: Db, id: string): Promise<MappingRow> {
  const row = await findMapping(db.prisma, id);
  if (!row) throw new NotFoundError('mapping', id);
  return row;
}

export async function licenseKinds(tx: Pick<Tx, 'license'>): Promise<Map<string, LicenseKind>> {
  return new Map((await tx.license.findMany({ select: { key: true, kind: true } })).map((l) => [l.key, l.kind]));
}

export function refuse(problems: readonly MappingProblem[]): void {
  const first = problems[0];
  if (first) throw new ValidationError(`${first.path}: ${first.message}`, problems);
}

type Written = MappingRow & { affectedUsers: number };

export async function createMapping(db: Db, input: MappingInput, confirm: boolean | undefined, actor: string): Promise<Written> {
  return withTx(db, async (tx) => {
    await lockConfiguration(tx);
    refuse(checkMapping(input, await licenseKinds(tx)));
    await assertGroupFree(tx, input.idpGroup);
    const proposed: Mapping = { id: '00000000-0000-0000-0000-000000000000', ...input };
    const pop = await affectedPopulation(tx, [proposed]);
    const impact = impactOf(pop, { mappings: [...pop.mappings, proposed] });
    guardAdminLockout(impact, confirm);
    const row = await tx.groupMapping.create({ data: input });
    await writeAudit(tx, { actor, action: 'mapping.create', subject: row.id, after: row });
    return { ...row, affectedUsers: impact.affectedUsers };
  });
}

export async function updateMapping(db: Db, id: string, patch: MappingPatch, confirm: boolean | undefined, actor: string): Promise<Written> {
  return withTx(db, async (tx) => {
    await lockConfiguration(tx);
    const before = await findMapping(tx, id);
    if (!before) throw new NotFoundError('mapping', id);
    const next = { ...before, ...stripUndefined(patch) };
    refuse(checkMapping(next, await licenseKinds(tx)));
    if (next.idpGroup !== before.idpGroup) await assertGroupFree(tx, next.idpGroup);
    const pop = await affectedPopulation(tx, [before, next]);
    const impact = impactOf(pop, { mappings: pop.mappings.map((m) => (m.id === before.id ? next : m)) });
    guardAdminLockout(impact, confirm);
    const row = await tx.groupMapping.update({ where: { id: before.id }, data: stripUndefined(patch) });
    await writeAudit(tx, { actor, action: 'mapping.update', subject: before.id, before, after: row });
    return { ...row, affectedUsers: impact.affectedUsers };
  });
}

export async function deleteMapping(db: Db, id: string, confirm: boolean | undefined, actor: string): Promise<{ id: string; affectedUsers: number }> {
  return withTx(db, async (tx) => {
    await lockConfiguration(tx);
    const before = await findMapping(tx, id);
    if (!before) throw new NotFoundError('mapping', id);
    const pop = await affectedPopulation(tx, [before]);
    const impact = impactOf(pop, { mappings: pop.mappings.filter((m) => m.id !== before.id) });
    guardAdminLockout(impact, confirm);
    await tx.groupMapping.delete({ where: { id: before.id } });
    await writeAudit(tx, { actor, action: 'mapping.delete', subject: before.id, before });
    return { id: before.id, affectedUsers: impact.affectedUsers };
  });
}

/** Members of the changed mappings' groups and of admin mappings' groups: nobody else can change. */
async function affectedPopulation(tx: Tx, changed: readonly Mapping[]) {
  const all = [...(await tx.groupMapping.findMany()), ...changed];
  return loadPopulation(tx, { groups: relevantGroups(changed, all, (await loadSettings(tx)).policy.adminRoles) });
}

async function assertGroupFree(tx: Tx, idpGroup: string): Promise<void> {
  const other = await tx.groupMapping.findUnique({ where: { idpGroup }, select: { id: true } });
  if (other) throw new ConflictError(`a mapping for idpGroup ${idpGroup} already exists`, { idpGroup, id: other.id });
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
