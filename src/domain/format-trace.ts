/**
 * Human-readable rendering of a decision trace, for `allot explain` and the admin page (SPEC §2,
 * §6). Sections follow the trace order; every licence key appears verbatim so it can be grepped.
 */
import type { Trace, TraceBundle, TraceMember, TraceRule } from './trace.js';
import type { ReasonCode } from './types.js';

/** Renders `{reason, trace}` (as stored in the audit log) as multi-line text (SPEC §2 trace). */
export function formatTrace(reasonAndTrace: { readonly reason: ReasonCode; readonly trace: Trace }): string {
  const { reason, trace } = reasonAndTrace;
  const lines: string[] = [`Reason: ${reason}`, 'Matched mappings:'];
  if (trace.matched.length === 0) lines.push('  (none)');
  for (const m of trace.matched) {
    const spelled = m.matchedGroup === m.idpGroup ? '' : ` (matched as "${m.matchedGroup}")`;
    lines.push(`  - ${m.id}: group "${m.idpGroup}"${spelled}; roles: ${list(m.roles)}; licences: ${list(m.licenses)}`);
  }
  lines.push('Candidate primaries:');
  if (trace.candidates.length === 0) lines.push('  (none)');
  trace.candidates.forEach((c, i) => {
    lines.push(`  ${i + 1}. ${c.key} (${c.rank === null ? 'not in the preference order' : `preference rank ${c.rank}`})`);
  });
  lines.push(`Rule: ${trace.rule}: ${describeRule(trace.rule)}`);
  const { kept, revoked, suppressedPrimary } = trace.manual;
  lines.push(`Manual allocations: kept: ${list(kept)}; revoked: ${list(revoked)}`);
  if (suppressedPrimary !== null) {
    lines.push(`  ${suppressedPrimary} not granted: the user keeps a manual primary licence`);
  }
  lines.push('Bundles tried:');
  if (trace.bundles.length === 0) lines.push('  (none)');
  for (const bundle of trace.bundles) lines.push(...formatBundle(bundle));
  const o = trace.outcome;
  lines.push(
    `Outcome: ${o.reason}`,
    `  target: ${list(o.target)}`,
    `  acquire: ${list(o.acquire)}`,
    `  release: ${list(o.release.map((r) => `${r.key} (${r.origin})`))}`,
    `  missing: ${list(o.missing)}`,
  );
  return lines.join('\n');
}

function formatBundle(bundle: TraceBundle): string[] {
  const keys = bundle.members.map((m) => m.key);
  const head = `  - {${keys.join(', ')}}: ${bundle.fits ? 'fits' : 'does not fit'}`;
  return [head, ...bundle.members.map(formatMember)];
}

function formatMember(m: TraceMember): string {
  const held = m.heldManually ? 'held manually' : m.heldByUser ? 'held by user' : 'not held';
  return `      ${m.key} (${m.kind}): capacity ${m.capacity}, used ${m.used}, ${held}, available ${m.available}`;
}

function list(values: readonly string[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}

function describeRule(rule: TraceRule): string {
  switch (rule) {
    case 'DEACTIVATED':
      return 'inactive users hold nothing';
    case 'NO_MAPPING':
      return 'no enabled mapping matches the user\'s groups';
    case 'ADMIN_ONLY':
      return 'an admin role gets the admin licence only';
    case 'PREFERENCE':
      return 'the best-ranked primary with every add-on, all or nothing';
    case 'FALLBACK':
      return 'a lower-ranked primary, because the better bundle did not fit';
    case 'MANUAL_PRIMARY':
      return 'a manual primary is kept, so only add-ons come from mappings';
    case 'ADDONS_ONLY':
      return 'the matched mappings carry add-ons only';
    default: {
      const unknown: never = rule;
      return String(unknown);
    }
  }
}
