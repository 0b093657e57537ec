/**
 * License types and their pools (SPEC §1): create or update, with capacity changes checked
 * against the seats in use. Lowering capacity below the seats in use is refused unless forced;
 * forcing reclaims the surplus seats (see capacity.ts) and then asks for a redistribution.
 */
import type { AllocationService } from '../../allocation/service.js';
import type { Db } from '../../db/client.js';
import type { Tx } from '../../db/transaction.js';
import { writeAudit } from '../../audit/write.js';
import type { JobService, JobView } from '../../jobs/types.js';
import { ConflictError, NotFoundError } from '../../shared/errors.js';
import { reclaimSeats, type Reclaimed } from './capacity.js';

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

export interface PutLicenseResult {
  readonly license: LicenseView;
  readonly created: boolean;
  /** Set when a forced capacity cut reclaimed seats: who lost one, and the redistribution job. */
  readonly reclaimed?: readonly Reclaimed[];
  readonly job?: JobView | null;
}

export interface LicenseDeps {
  readonly db: Db;
  readonly allocation: AllocationService;
  readonly jobs?: JobService | undefined;
}

const view = (r: { key: string; name: string; kind: 'primary' | 'addon'; capacity: number; used: number }): LicenseView => ({
  key: r.key,
  name: r.name,
  kind: r.kind,
  capacity: r.capacity,
  used: r.used,
  free: r.capacity - r.used,
});

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
  if (current && input.capacity < current.used && input.force && !deps.jobs) {
    throw new ConflictError(`${current.used} seats of ${key} are in use; force needs the redistribution service, which is not running here`, {
      key,
      used: current.used,
      capacity: input.capacity,
    });
  }
  let reclaimed: Reclaimed[] = [];
  const result = await deps.allocation.transaction(
    'license.update',
    async (tx, attempt) => {
      reclaimed = [];
      const before = await tx.license.findUnique({ where: { key } });
      if (!before) {
        const row = await tx.license.create({ data: { key, name: input.name, kind: input.kind, capacity: input.capacity } });
        await writeAudit(tx, { actor, action: 'license.create', subject: key, after: view(row) });
        return { row, created: true, forced: false, raised: false, decisions: [] };
      }
      if (before.kind !== input.kind && before.used > 0) {
        throw new ConflictError(`${key} has ${before.used} seats in use; its kind cannot change until they are released`, { key, used: before.used });
      }
      let decisions: Awaited<ReturnType<typeof reclaimSeats>>['decisions'] = [];
      if (input.capacity < before.used) {
        if (!input.force) {
          throw new ConflictError(
            `${before.used} seats of ${key} are in use; capacity ${input.capacity} would be below that (free seats first, or send "force": true to reclaim ${before.used - input.capacity} and redistribute)`,
            { key, used: before.used, capacity: input.capacity, toFree: before.used - input.capacity },
          );
        }
        const r = await reclaimSeats(tx, { allocation: deps.allocation, attempt, actor }, key, before.used - input.capacity);
        reclaimed = r.reclaimed;
        decisions = r.decisions;
      }
      const row = await updateLicense(tx, key, input);
      await writeAudit(tx, { actor, action: 'license.update', subject: key, before: view(before), after: view(row) });
      return { row, created: false, forced: input.capacity < before.used, raised: input.capacity > before.capacity, decisions };
    },
    (r) => r.decisions,
  );
  if (result.raised) await deps.allocation.grantWaiting([key]);
  const license = await getLicense(deps.db, key);
  if (!result.forced) return { license, created: result.created };
  const job = deps.jobs ? await deps.jobs.startRedistribution({ scope: { all: true }, redistributeManual: false, dryRun: false }, actor).catch(() => null) : null;
  return { license, created: false, reclaimed, job };
}

/** The conditional update keeps `used <= capacity` even against a seat taken meanwhile. */
async function updateLicense(tx: Tx, key: string, input: LicenseInput) {
  const n = await tx.$executeRaw`UPDATE license SET name = ${input.name}, kind = ${input.kind}::"LicenseKind", capacity = ${input.capacity}, updated_at = now()
    WHERE key = ${key} AND used <= ${input.capacity}`;
  const row = await tx.license.findUniqueOrThrow({ where: { key } });
  if (n !== 1) {
    throw new ConflictError(`${row.used} seats of ${key} are in use; capacity ${input.capacity} would be below that`, {
      key,
      used: row.used,
      capacity: input.capacity,
    });
  }
  return row;
}
