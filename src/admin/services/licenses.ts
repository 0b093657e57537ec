/**
 * License types and their pools (SPEC §1): create or update, with capacity changes checked
 * against the seats in use. Lowering capacity below the seats in use is refused unless forced;
 * forcing hands the cut to a redistribution job, which takes the surplus seats back from the
 * youngest holders and lowers the capacity with them (SPEC §3 order).
 */
import type { AllocationService } from '../../allocation/service.js';
import type { Db } from '../../db/client.js';
import type { Tx } from '../../db/transaction.js';
import { withTx } from '../../db/transaction.js';
import { writeAudit } from '../../audit/write.js';
import type { JobService, JobView } from '../../jobs/types.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { loadSettings } from '../../allocation/settings.js';
import { lockConfiguration } from './config-lock.js';

export interface LicenseView {
  readonly key: string;
  readonly name: string;
  readonly kind: 'primary' | 'addon';
  readonly capacity: number;
  readonly used: number;
  readonly free: number;
}

export interface LicenseInput {
  readonly name: string;
  readonly kind: 'primary' | 'addon';
  readonly capacity: number;
  readonly force?: boolean | undefined;
}

export type PutLicenseResult =
  | { readonly outcome: 'created' | 'updated'; readonly license: LicenseView }
  /** A forced cut below the seats in use: the job that will free the seats and lower the capacity. */
  | { readonly outcome: 'redistributing'; readonly license: LicenseView; readonly job: JobView };

export interface LicenseDeps {
  readonly db: Db;
  readonly allocation: AllocationService;
  readonly jobs?: JobService | undefined;
}

type Row = { key: string; name: string; kind: 'primary' | 'addon'; capacity: number; used: number };
const view = (r: Row): LicenseView => ({ key: r.key, name: r.name, kind: r.kind, capacity: r.capacity, used: r.used, free: r.capacity - r.used });

export async function listLicenses(db: Db): Promise<LicenseView[]> {
  return (await db.prisma.license.findMany({ orderBy: { key: 'asc' } })).map(view);
}

export async function getLicense(db: Db, key: string): Promise<LicenseView> {
  const row = await db.prisma.license.findUnique({ where: { key } });
  if (!row) throw new NotFoundError('license', key);
  return view(row);
}

export async function putLicense(deps: LicenseDeps, key: string, input: LicenseInput, actor: string): Promise<PutLicenseResult> {
  const current = await deps.db.prisma.license.findUnique({ where: { key } });
  if (current && input.capacity < current.used && input.force) return forcedCut(deps, current, input, actor);
  const result = await withTx(deps.db, async (tx) => {
    const before = await tx.license.findUnique({ where: { key } });
    if (!before) {
      const row = await tx.license.create({ data: { key, name: input.name, kind: input.kind, capacity: input.capacity } });
      await writeAudit(tx, { actor, action: 'license.create', subject: key, after: view(row) });
      return { outcome: 'created' as const, row, raised: false };
    }
    assertKindChangeable(before, input);
    const row = await updateLicense(tx, key, input);
    await writeAudit(tx, { actor, action: 'license.update', subject: key, before: view(before), after: view(row) });
    return { outcome: 'updated' as const, row, raised: input.capacity > before.capacity };
  });
  // New seats go to waiting users first (SPEC §3 "Seat freed"), in FIFO order.
  if (result.raised) await deps.allocation.grantWaiting([key]);
  return { outcome: result.outcome, license: result.raised ? await getLicense(deps.db, key) : view(result.row) };
}

async function forcedCut(deps: LicenseDeps, current: Row, input: LicenseInput, actor: string): Promise<PutLicenseResult> {
  assertKindChangeable(current, input);
  if (!deps.jobs) {
    throw new ConflictError(`${current.used} seats of ${current.key} are in use; force needs the redistribution service, which is not running here`, {
      key: current.key,
      used: current.used,
      capacity: input.capacity,
    });
  }
  // The job refuses to start (409) while another redistribution runs: then nothing changes here.
  const job = await deps.jobs.startRedistribution(
    { scope: { all: true }, redistributeManual: false, dryRun: false, capacity: { [current.key]: input.capacity } },
    actor,
  );
  const license = await withTx(deps.db, async (tx) => {
    const row = await tx.license.update({ where: { key: current.key }, data: { name: input.name } });
    await writeAudit(tx, {
      actor,
      action: 'license.capacity.cut',
      subject: current.key,
      before: view(current),
      after: { ...view(row), requestedCapacity: input.capacity, job: job.id },
    });
    return view(row);
  });
  return { outcome: 'redistributing', license, job };
}

/**
 * Deletes an unused license type. Refused (409) while seats are in use or while a mapping, the
 * preference order or the policy's adminLicense names it, so no configuration points at nothing.
 */
export async function deleteLicense(db: Db, key: string, actor: string): Promise<LicenseView> {
  return withTx(db, async (tx) => {
    await lockConfiguration(tx);
    const row = await tx.license.findUnique({ where: { key } });
    if (!row) throw new NotFoundError('license', key);
    const mappings = await tx.groupMapping.findMany({ where: { licenses: { has: key } }, select: { idpGroup: true }, orderBy: { idpGroup: 'asc' } });
    const settings = await loadSettings(tx);
    const uses = [
      ...(row.used > 0 ? [`${row.used} seats are in use`] : []),
      ...(mappings.length > 0 ? [`mappings ${mappings.map((m) => m.idpGroup).join(', ')} grant it`] : []),
      ...(settings.preferenceOrder.includes(key) ? ['the preference order names it'] : []),
      ...(settings.policy.adminLicense === key ? ['it is the policy adminLicense'] : []),
    ];
    if (uses.length > 0) throw new ConflictError(`${key} cannot be deleted: ${uses.join('; ')}`, { key, uses });
    await tx.license.delete({ where: { key } });
    await writeAudit(tx, { actor, action: 'license.delete', subject: key, before: view(row) });
    return view(row);
  });
}

function assertKindChangeable(before: Row, input: LicenseInput): void {
  if (before.kind !== input.kind && before.used > 0) {
    throw new ConflictError(`${before.key} has ${before.used} seats in use; its kind cannot change until they are released`, { key: before.key, used: before.used });
  }
}

/** The conditional update keeps `used <= capacity` even against a seat taken meanwhile. */
async function updateLicense(tx: Tx, key: string, input: LicenseInput): Promise<Row> {
  const n = await tx.$executeRaw`UPDATE license SET name = ${input.name}, kind = ${input.kind}::"LicenseKind", capacity = ${input.capacity}, updated_at = now()
    WHERE key = ${key} AND used <= ${input.capacity}`;
  const row = await tx.license.findUniqueOrThrow({ where: { key } });
  if (n !== 1) {
    throw new ConflictError(
      `${row.used} seats of ${key} are in use; capacity ${input.capacity} would be below that (free seats first, or send "force": true to redistribute)`,
      { key, used: row.used, capacity: input.capacity, toFree: row.used - input.capacity },
    );
  }
  return row;
}
