/**
 * The only writer of audit_event (SPEC §4): one row per change, inside the caller's transaction.
 * Rows are never updated or deleted (a database trigger refuses it as well).
 */
import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../db/transaction.js';
import { currentContext } from '../shared/request-context.js';

export interface AuditEntry {
  /** `saml:<nameId>`, `scim:<token>`, `admin:<token>`, `job:<id>`, `system:<what>` (SPEC §4). */
  readonly actor: string;
  /** Dotted verb, e.g. `login`, `license.update`, `user.license.assign`. */
  readonly action: string;
  readonly userId?: string | null;
  /** What the row is about when it is not (only) a user: a license key, a mapping id, a token name. */
  readonly subject?: string | null;
  readonly reason?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly trace?: unknown;
}

export async function writeAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      userId: entry.userId ?? null,
      subject: entry.subject ?? null,
      reason: entry.reason ?? null,
      before: json(entry.before),
      after: json(entry.after),
      trace: json(entry.trace),
      requestId: currentContext()?.requestId ?? null,
    },
  });
}

/**
 * The same row as an `INSERT` fragment, for a caller that joins it to its own statement (one round
 * trip instead of two, e.g. after `WITH … AS (UPDATE …)`). `traceJson` is the trace already
 * serialised by the caller (a decision writes the same trace on the user row).
 */
export function auditInsertSql(entry: AuditEntry, traceJson?: string): Prisma.Sql {
  return Prisma.sql`INSERT INTO audit_event (at, actor, action, user_id, subject, reason, before, after, trace, request_id)
    VALUES (${new Date()}, ${entry.actor}, ${entry.action}, ${entry.userId ?? null}::uuid, ${entry.subject ?? null}, ${entry.reason ?? null},
            ${jsonText(entry.before)}::jsonb, ${jsonText(entry.after)}::jsonb, ${traceJson ?? jsonText(entry.trace)}::jsonb,
            ${currentContext()?.requestId ?? null})`;
}

function jsonText(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

function json(value: unknown): Prisma.InputJsonValue | undefined {
  return value === undefined || value === null ? undefined : (value as Prisma.InputJsonValue);
}
