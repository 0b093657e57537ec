/**
 * The audit trail as administrators query it (SPEC §6): filters on actor, user, action and time,
 * newest first with keyset cursors, and a CSV rendering for export. Read only: the application
 * never updates or deletes audit rows.
 */
import type { Db } from '../../db/client.js';
import type { Prisma } from '../../generated/prisma/client.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface AuditFilter {
  readonly actor?: string | undefined;
  readonly user?: string | undefined;
  readonly action?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly cursor?: string | undefined;
  readonly limit: number;
}

export interface AuditView {
  readonly id: string;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly userId: string | null;
  readonly subject: string | null;
  readonly reason: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly requestId: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function listAudit(db: Db, f: AuditFilter): Promise<{ items: AuditView[]; nextCursor: string | null }> {
  const where = await whereOf(db, f);
  const rows = await db.prisma.auditEvent.findMany({ where, orderBy: { id: 'desc' }, take: f.limit + 1, omit: { trace: true } });
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { items: page.map(view), nextCursor: rows.length > f.limit && last ? encodeCursor([last.id.toString()]) : null };
}

/** Pages through every matching row, oldest-first within the newest-first order of the list. */
export async function* auditRows(db: Db, f: Omit<AuditFilter, 'limit' | 'cursor'>, pageSize = 500): AsyncGenerator<AuditView[]> {
  let cursor: string | undefined;
  do {
    const page = await listAudit(db, { ...f, cursor, limit: pageSize });
    if (page.items.length > 0) yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

async function whereOf(db: Db, f: AuditFilter): Promise<Prisma.AuditEventWhereInput> {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (f.actor) and.push({ actor: f.actor });
  if (f.action) and.push({ action: f.action });
  if (f.since) and.push({ at: { gte: new Date(f.since) } });
  if (f.until) and.push({ at: { lt: new Date(f.until) } });
  if (f.cursor) and.push({ id: { lt: BigInt(String(decodeCursor(f.cursor, 1)[0])) } });
  if (f.user) {
    // The trail outlives users: match the id, the nameId recorded as subject, or the user it resolves to.
    const user = await db.prisma.user.findFirst({ where: UUID.test(f.user) ? { id: f.user.toLowerCase() } : { nameIdLower: f.user.toLowerCase() }, select: { id: true } });
    and.push({ OR: [{ subject: f.user }, ...(UUID.test(f.user) ? [{ userId: f.user.toLowerCase() }] : []), ...(user ? [{ userId: user.id }] : [])] });
  }
  return { AND: and };
}

function view(r: Omit<Prisma.AuditEventGetPayload<object>, 'trace'>): AuditView {
  return { ...r, id: r.id.toString() };
}

const COLUMNS = ['id', 'at', 'actor', 'action', 'userId', 'subject', 'reason', 'before', 'after', 'requestId'] as const;

export const AUDIT_CSV_HEADER = `${COLUMNS.join(',')}\r\n`;

/** RFC 4180 rows; cells starting with = + - @ are prefixed with ' so spreadsheets do not run them. */
export function auditCsv(rows: readonly AuditView[]): string {
  return rows.map((r) => COLUMNS.map((c) => cell(r[c])).join(',') + '\r\n').join('');
}

function cell(v: unknown): string {
  let s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
