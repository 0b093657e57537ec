// @ts-check
/**
 * A redistribution summary (src/jobs/redistribution-state.ts): users per reason, seats per
 * license before and after with what was acquired and released, and for a dry run the users
 * whose holdings would change. A summary of another shape is shown as a plain key/value list.
 */
import { h, table, badge } from '../dom.js';
import { renderPreview } from './preview.js';

const BAD_REASONS = new Set(['BUNDLE_UNAVAILABLE', 'NO_MAPPING', 'DEACTIVATED']);

/** @param {any} summary */
export function renderSummary(summary) {
  if (!summary || typeof summary !== 'object') return h('p', null, String(summary));
  if (!summary.totals) return h('section', { class: 'summary', 'aria-label': 'Summary' }, h('h3', null, 'Summary'), plain(summary));
  const t = summary.totals;
  const reasons = Object.entries(t.reasons ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const users = reasons.reduce((n, [, c]) => n + Number(c), 0);
  const verb = summary.dryRun ? 'would change' : 'changed';
  const before = new Map((summary.licensesBefore ?? []).map((/** @type {any} */ l) => [l.key, l]));
  const after = new Map((summary.licensesAfter ?? []).map((/** @type {any} */ l) => [l.key, l]));
  const keys = [...new Set([...before.keys(), ...after.keys(), ...Object.keys(t.licenses ?? {})])].sort();
  const rows = keys.map((key) => {
    const b = before.get(key);
    const a = after.get(key);
    const flow = t.licenses?.[key] ?? { acquired: 0, released: 0 };
    return h(
      'tr',
      null,
      h('th', { scope: 'row' }, h('code', null, key)),
      h('td', { class: 'num' }, String(a?.capacity ?? b?.capacity ?? '')),
      h('td', { class: 'num' }, String(b?.used ?? '')),
      h('td', { class: 'num' }, a ? String(a.used) : '–'),
      h('td', { class: `num ${flow.acquired ? 'up' : 'muted'}` }, flow.acquired ? `+${flow.acquired}` : '–'),
      h('td', { class: `num ${flow.released ? 'down' : 'muted'}` }, flow.released ? `−${flow.released}` : '–'),
    );
  });
  const diff = /** @type {any[] | undefined} */ (summary.diff);
  return h(
    'section',
    { class: 'summary', 'aria-label': 'Summary' },
    h('h3', null, summary.dryRun ? 'Summary (dry run: nothing was written)' : 'Summary'),
    h('p', { class: 'lead' }, `${users} users decided; ${t.moved ?? 0} ${verb} their licenses`, t.evicted ? `; ${t.evicted} lost a seat to a lowered capacity` : '', '.'),
    h('p', { class: 'reasons' }, reasons.length ? reasons.map(([r, n]) => [badge(`${r}: ${n}`, BAD_REASONS.has(r) ? 'bad' : 'info'), ' ']) : h('span', { class: 'muted' }, 'No user in scope.')),
    table(
      ['License', { label: 'Capacity', num: true }, { label: 'Used before', num: true }, { label: 'Used after', num: true }, { label: 'Acquired', num: true }, { label: 'Released', num: true }],
      rows,
      'No license moved.',
      'Seats',
    ),
    diff ? renderPreview({ users: diff, licenses: [], summary: { users, changed: diff.length } }, { title: 'Users who would change' }) : null,
    summary.diffTruncated ? h('p', { class: 'hint' }, 'Only the first users are listed.') : null,
  );
}

/** @param {unknown} value @returns {Node} */
function plain(value) {
  if (value === null || typeof value !== 'object') return h('span', null, String(value));
  const entries = Object.entries(value);
  if (entries.length === 0) return h('span', { class: 'muted' }, 'none');
  return h('dl', { class: 'pairs' }, entries.map(([k, v]) => [h('dt', null, k), h('dd', null, plain(v))]));
}
