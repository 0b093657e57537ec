import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/test-db.js';

describe('database integrity rules', () => {
  let db: TestDb;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDb();
    await db.prisma.license.createMany({
      data: [
        { key: 'bot-creator', name: 'Bot Creator', kind: 'primary', capacity: 1, used: 1 },
        { key: 'citizen-developer', name: 'Citizen Developer', kind: 'primary', capacity: 5 },
        { key: 'bot-insight', name: 'Bot Insight', kind: 'addon', capacity: 5 },
      ],
    });
    const user = await db.prisma.user.create({ data: { nameId: 'fiona@example.com', nameIdLower: 'fiona@example.com' } });
    userId = user.id;
    await db.prisma.allocation.create({ data: { userId, licenseKey: 'bot-creator', kind: 'primary', origin: 'mapping' } });
  });
  afterAll(async () => db?.destroy());

  it('refuses a pool whose used exceeds its capacity', async () => {
    await expect(db.prisma.license.update({ where: { key: 'bot-creator' }, data: { used: 2 } })).rejects.toThrow(/license_used_within_capacity/);
  });

  it('refuses a negative used count', async () => {
    await expect(db.prisma.license.update({ where: { key: 'citizen-developer' }, data: { used: -1 } })).rejects.toThrow(/license_used_nonnegative/);
  });

  it('refuses a second primary allocation for the same user', async () => {
    await expect(
      db.prisma.allocation.create({ data: { userId, licenseKey: 'citizen-developer', kind: 'primary', origin: 'manual' } }),
    ).rejects.toThrow(/allocation_one_primary_per_user|Unique constraint/);
  });

  it('accepts add-ons beside the primary', async () => {
    await db.prisma.allocation.create({ data: { userId, licenseKey: 'bot-insight', kind: 'addon', origin: 'mapping' } });
    expect(await db.prisma.allocation.count({ where: { userId } })).toBe(2);
  });

  it('refuses an allocation whose kind differs from its license kind', async () => {
    const other = await db.prisma.user.create({ data: { nameId: 'bob', nameIdLower: 'bob' } });
    await expect(
      db.prisma.allocation.create({ data: { userId: other.id, licenseKey: 'bot-insight', kind: 'primary', origin: 'manual' } }),
    ).rejects.toThrow(/Foreign key|allocation_license_key_kind_fkey/);
  });

  it('refuses a second settings row', async () => {
    await expect(db.prisma.settings.create({ data: { id: 2, preferenceOrder: [], policy: {} } })).rejects.toThrow(/settings_singleton/);
  });

  it('keeps the audit trail append-only', async () => {
    const row = await db.prisma.auditEvent.create({ data: { actor: 'admin:test', action: 'test' } });
    await expect(db.prisma.auditEvent.update({ where: { id: row.id }, data: { action: 'changed' } })).rejects.toThrow(/append-only/);
    await expect(db.prisma.auditEvent.delete({ where: { id: row.id } })).rejects.toThrow(/append-only/);
    expect(await db.prisma.auditEvent.count()).toBe(1);
  });
});
