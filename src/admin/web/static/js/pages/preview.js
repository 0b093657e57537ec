// @ts-check
/**
 * The preview of a mapping change (POST /api/v1/mappings/preview): seat totals per license and
 * the per-user diff. Users the change would leave without any license are shown in red first,
 * because that is what an administrator must not miss before saving.
 */
import { h, table, badge } from '../dom.js';

/** @param {any} p the Preview reply @param {{ title?: string }} [opts] */
export function renderPreview(p, opts = {}) {
  const users = /** @type {any[]} */ (p.users ?? []);
  const lost = users.filter((u) => (u.after ?? []).length === 0);
  const s = p.summary ?? {};
  const totals = /** @type {any[]} */ (p.licenses ?? []).map((l) => {
    const delta = l.usedAfter - l.usedBefore;
    const over = l.usedAfter > l.capacity;
    return h(
      'tr',
      { class: over ? 'bad-row' : '' },
      h('th', { scope: 'row' }, h('code', null, l.key)),
      h('td', { class: 'num' }, String(l.capacity)),
      h('td', { class: 'num' }, String(l.usedBefore)),
      h('td', { class: 'num' }, String(l.usedAfter)),
      h('td', { class: `num ${delta > 0 ? 'up' : delta < 0 ? 'down' : 'muted'}` }, delta > 0 ? `+${delta}` : delta === 0 ? '–' : String(delta)),
    );
  });
  const ordered = [...lost, ...users.filter((u) => (u.after ?? []).length > 0)];
  const rows = ordered.map((u) => {
    const none = (u.after ?? []).length === 0;
    return h(
      'tr',
      { class: none ? 'bad-row' : '' },
      h('th', { scope: 'row' }, u.nameId),
      h('td', null, held(u.before)),
      h('td', null, none ? h('strong', { class: 'bad-text' }, 'no license') : held(u.after)),
      h('td', null, badge(u.reason, none ? 'bad' : 'info'), (u.missing ?? []).length ? h('span', { class: 'hint' }, ` missing: ${u.missing.join(', ')}`) : null),
    );
  });
  return h(
    'section',
    { class: 'preview', 'aria-label': 'Preview of the change' },
    h('h2', null, opts.title ?? 'Preview'),
    h(
      'p',
      { class: lost.length ? 'error' : 'ok-text', role: lost.length ? 'alert' : null },
      `${s.users ?? users.length} users evaluated, ${s.changed ?? users.length} would change`,
      lost.length ? `, ${lost.length} would be left without any license.` : '.',
      s.adminsBefore !== undefined && s.adminsAfter !== s.adminsBefore ? ` Users with an admin role: ${s.adminsBefore} → ${s.adminsAfter}.` : '',
    ),
    totals.length === 0 ? null : table(['License', { label: 'Capacity', num: true }, { label: 'Used now', num: true }, { label: 'Used after', num: true }, { label: 'Change', num: true }], totals, 'No license totals.', 'Seat totals'),
    table(['User', 'Now', 'After', 'Reason'], rows, 'No user would change: nothing moves.', 'Users whose allocation would change'),
  );
}

/** @param {any[] | undefined} list */
function held(list) {
  if (!list || list.length === 0) return h('span', { class: 'muted' }, 'none');
  return h('span', null, list.map((l, i) => [i ? ', ' : '', h('code', null, l.key), l.origin === 'manual' ? ' (manual)' : '']));
}
