/**
 * The bench population (bench/redistribute.ts): N users in ten groups, allocations as an earlier
 * mapping gave them, then a mapping change that moves 30% of them.
 */
import type { Db } from '../src/db/client.js';

/** Ten groups G0..G9; G0-G2 (30% of users) held citizen-developer and now map to attended-bot-runner. */
export async function generate(db: Db, USERS: number): Promise<void> {
  const q = (sql: string) => db.prisma.$executeRawUnsafe(sql);
  await q(`INSERT INTO license (key, name, kind, capacity, used, updated_at) VALUES
    ('bot-creator', 'Bot Creator', 'primary', ${USERS}, 0, now()),
    ('citizen-developer', 'Citizen Developer', 'primary', ${USERS}, 0, now()),
    ('attended-bot-runner', 'Attended Bot Runner', 'primary', ${USERS}, 0, now()),
    ('unattended-bot-runner', 'Unattended Bot Runner', 'primary', ${USERS}, 0, now()),
    ('process-discovery', 'Process Discovery', 'addon', ${USERS}, 0, now())`);
  const mappings: [string, string[]][] = [
    ['G0', ['attended-bot-runner', 'process-discovery']],
    ['G1', ['attended-bot-runner']],
    ['G2', ['attended-bot-runner']],
    ['G3', ['attended-bot-runner', 'process-discovery']],
    ['G4', ['attended-bot-runner']],
    ['G5', ['attended-bot-runner']],
    ['G6', ['unattended-bot-runner']],
    ['G7', ['unattended-bot-runner']],
    ['G8', ['unattended-bot-runner']],
    ['G9', ['bot-creator']],
  ];
  for (const [g, licenses] of mappings) {
    await db.prisma.groupMapping.create({ data: { idpGroup: g, licenses, roles: ['AAE_Basic'], autoProvision: true } });
  }
  for (let start = 0; start < USERS; start += 100_000) {
    const end = Math.min(USERS, start + 100_000);
    await q(`INSERT INTO app_user (id, name_id, name_id_lower, active, roles, created_at, updated_at)
      SELECT gen_random_uuid(), 'user' || i || '@bench', 'user' || i || '@bench', true, '{AAE_Basic}',
             timestamptz '2025-01-01' + i * interval '1 millisecond', now()
      FROM generate_series(${start + 1}, ${end}) i`);
  }
  await q(`INSERT INTO membership (user_id, source, group_name)
    SELECT id, 'saml', 'G' || (substring(name_id from 5 for length(name_id) - 10)::int % 10) FROM app_user`);
  // Before the mapping change: G0-G2 held citizen-developer (+ process-discovery for G0).
  await q(`INSERT INTO allocation (user_id, license_key, kind, origin)
    SELECT m.user_id, CASE WHEN m.group_name IN ('G0','G1','G2') THEN 'citizen-developer'
                           WHEN m.group_name IN ('G3','G4','G5') THEN 'attended-bot-runner'
                           WHEN m.group_name = 'G9' THEN 'bot-creator' ELSE 'unattended-bot-runner' END,
           'primary', 'mapping' FROM membership m`);
  await q(`INSERT INTO allocation (user_id, license_key, kind, origin)
    SELECT user_id, 'process-discovery', 'addon', 'mapping' FROM membership WHERE group_name IN ('G0', 'G3')`);
  await q(`UPDATE license l SET used = (SELECT COUNT(*) FROM allocation a WHERE a.license_key = l.key)`);
  await q(`UPDATE app_user SET last_reason = 'UNCHANGED'`);
  // As autovacuum would leave a settled database: statistics, and the visibility map that lets
  // index-only scans skip the heap.
  await q('VACUUM ANALYZE');
}

