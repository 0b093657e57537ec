/**
 * Preference order and policy (SPEC §1). Changing them decides nobody immediately (SPEC §3): the
 * answer says how many users a redistribution would change. Keys must name existing licenses, so
 * a typo cannot silently rank nothing.
 */
import type { Db } from '../../db/client.js';
import { withTx } from '../../db/transaction.js';
import { writeAudit } from '../../audit/write.js';
import { loadSettings, saveSettings } from '../../allocation/settings.js';
import type { Policy } from '../../domain/index.js';
import { ValidationError } from '../../shared/errors.js';
import { guardAdminLockout, impactOf } from './impact.js';
import { lockConfiguration } from './config-lock.js';
import { loadPopulation } from './population.js';

export async function getSettings(db: Db) {
  return withTx(db, (tx) => loadSettings(tx));
}

export async function putPreferenceOrder(db: Db, order: readonly string[], actor: string): Promise<{ order: string[]; affectedUsers: number }> {
  return withTx(db, async (tx) => {
    await lockConfiguration(tx);
    const licenses = new Map((await tx.license.findMany({ select: { key: true, kind: true } })).map((l) => [l.key, l.kind]));
    const seen = new Set<string>();
    const details: { path: string; message: string }[] = [];
    order.forEach((key, i) => {
      if (seen.has(key)) details.push({ path: `order.${i}`, message: `${key} appears twice` });
      else if (!licenses.has(key)) details.push({ path: `order.${i}`, message: `unknown license ${key}` });
      else if (licenses.get(key) !== 'primary') details.push({ path: `order.${i}`, message: `${key} is an add-on; the order ranks primary licenses` });
      seen.add(key);
    });
    if (details[0]) throw new ValidationError(`${details[0].path}: ${details[0].message}`, details);
    const pop = await loadPopulation(tx);
    const { affectedUsers } = impactOf(pop, { preferenceOrder: order });
    await saveSettings(tx, { preferenceOrder: order });
    await writeAudit(tx, { actor, action: 'preference-order.update', before: { order: pop.settings.preferenceOrder }, after: { order } });
    return { order: [...order], affectedUsers };
  });
}

export async function putPolicy(db: Db, policy: Policy, confirm: boolean | undefined, actor: string): Promise<{ policy: Policy; affectedUsers: number }> {
  return withTx(db, async (tx) => {
    await lockConfiguration(tx);
    const admin = await tx.license.findUnique({ where: { key: policy.adminLicense } });
    if (!admin) throw new ValidationError(`adminLicense: unknown license ${policy.adminLicense}`, [{ path: 'adminLicense', message: 'unknown license' }]);
    const pop = await loadPopulation(tx);
    const impact = impactOf(pop, { policy });
    guardAdminLockout(impact, confirm);
    await saveSettings(tx, { policy });
    await writeAudit(tx, { actor, action: 'policy.update', before: pop.settings.policy, after: policy });
    return { policy, affectedUsers: impact.affectedUsers };
  });
}
