// @ts-check
/** Audit log: filter by actor, user, action and time; page through; export the same filter as CSV. */
import { api, download, items, query } from '../api.js';
import { h, replace, field, badge, formatTime, headRow, labelCells } from '../dom.js';
import { busy, errorBox, notify } from '../feedback.js';

const AUDIT_COLUMNS = ['When', 'Actor', 'Action', 'Subject', 'Reason', 'Change'];

/** @param {HTMLElement} view @param {import('../main.js').PageContext} _ctx */
export async function render(view, _ctx) {
  const actor = /** @type {HTMLInputElement} */ (h('input', { type: 'text', placeholder: 'e.g. saml:fiona@example.com' }));
  const user = /** @type {HTMLInputElement} */ (h('input', { type: 'text', placeholder: 'nameId or id' }));
  const action = /** @type {HTMLInputElement} */ (h('input', { type: 'text', placeholder: 'e.g. login' }));
  const since = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local' }));
  const until = /** @type {HTMLInputElement} */ (h('input', { type: 'datetime-local' }));
  const results = h('div');
  const tbody = h('tbody');
  const more = /** @type {HTMLButtonElement} */ (h('button', { type: 'button' }, 'Load more'));
  let cursor = /** @type {string | null} */ (null);
  const filters = () => ({
    actor: actor.value.trim(),
    user: user.value.trim(),
    action: action.value.trim(),
    since: since.value ? new Date(since.value).toISOString() : '',
    until: until.value ? new Date(until.value).toISOString() : '',
  });
  const load = async (/** @type {boolean} */ append) => {
    try {
      const page = await api('GET', `/api/v1/audit${query({ ...filters(), cursor: append ? cursor : null, limit: 100 })}`);
      cursor = page.nextCursor ?? null;
      const rows = items(page).map(eventRow);
      if (!append) {
        if (rows.length === 0) return replace(results, h('p', { class: 'empty' }, 'No audit event matches these filters.'));
        replace(tbody);
        replace(results, h('div', { class: 'table-wrap' }, h('table', { class: 'stack' }, headRow(AUDIT_COLUMNS), tbody)), more);
      }
      tbody.append(...rows);
      labelCells(tbody, AUDIT_COLUMNS);
      more.hidden = !cursor;
    } catch (err) {
      replace(results, errorBox(err));
    }
  };
  more.addEventListener('click', () => void busy(more, () => load(true)));
  const apply = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, 'Filter'));
  const exportBtn = /** @type {HTMLButtonElement} */ (h('button', { type: 'button' }, 'Export CSV'));
  exportBtn.addEventListener('click', () =>
    void busy(exportBtn, async () => {
      try {
        const blob = await download(`/api/v1/audit${query(filters())}`, 'text/csv');
        const url = URL.createObjectURL(blob);
        const a = h('a', { href: url, download: `allot-audit-${new Date().toISOString().slice(0, 10)}.csv` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        notify('Audit export downloaded.');
      } catch (err) {
        replace(results, errorBox(err));
      }
    }),
  );
  const form = h(
    'form',
    { class: 'filters', role: 'search', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void busy(apply, () => load(false)); } },
    field('Actor', actor),
    field('User', user),
    field('Action', action),
    field('Since', since),
    field('Until', until),
    h('div', { class: 'buttons' }, apply, exportBtn),
  );
  replace(view, form, results);
  await load(false);
}

/** @param {any} e */
function eventRow(e) {
  const change = e.before !== undefined || e.after !== undefined ? h('details', null, h('summary', null, 'details'), h('pre', null, JSON.stringify({ before: e.before ?? null, after: e.after ?? null }, null, 2))) : '';
  return h(
    'tr',
    null,
    h('td', { class: 'nowrap' }, formatTime(e.at ?? e.createdAt)),
    h('td', null, h('code', null, e.actor)),
    h('td', null, e.action),
    h('td', null, e.subject ?? e.userId ?? ''),
    h('td', null, e.reason ? badge(e.reason, e.reason === 'BUNDLE_UNAVAILABLE' || e.reason === 'NO_MAPPING' ? 'bad' : 'info') : ''),
    h('td', null, change),
  );
}
