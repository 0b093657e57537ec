// @ts-check
/** Users: search and filter, then one user's groups, licenses (with origin), explanation and manual assign/revoke. */
import { api, items, query } from '../api.js';
import { h, replace, table, field, badge, formatTime, headRow, labelCells } from '../dom.js';
import { busy, errorBox, notify } from '../feedback.js';
import { renderTrace } from '../trace.js';

const USER_COLUMNS = ['User', 'Status', 'Roles', 'Licenses', 'Last reason'];
const REASONS = ['NO_MAPPING', 'ADMIN_ONLY', 'ALLOCATED', 'BUNDLE_UNAVAILABLE', 'UNCHANGED', 'MANUAL_PRESERVED', 'DEACTIVATED'];

/** @param {HTMLElement} view @param {import('../main.js').PageContext} ctx */
export async function render(view, ctx) {
  const licenses = /** @type {any[]} */ (await api('GET', '/api/v1/licenses'));
  const nameId = /** @type {HTMLInputElement} */ (h('input', { type: 'search', value: ctx.params.get('nameId') ?? '', placeholder: 'part of a nameId' }));
  const license = /** @type {HTMLSelectElement} */ (h('select', null, h('option', { value: '' }, 'any'), licenses.map((l) => h('option', { value: l.key }, l.name))));
  const role = /** @type {HTMLInputElement} */ (h('input', { type: 'text', placeholder: 'e.g. AAE_Basic' }));
  const reason = /** @type {HTMLSelectElement} */ (h('select', null, h('option', { value: '' }, 'any'), REASONS.map((r) => h('option', { value: r }, r))));
  const results = h('div');
  const detail = h('div');
  let cursor = /** @type {string | null} */ (null);
  const tbody = h('tbody');
  const more = /** @type {HTMLButtonElement} */ (h('button', { type: 'button' }, 'Load more'));

  const load = async (/** @type {boolean} */ append) => {
    const q = query({ nameId: nameId.value.trim(), license: license.value, role: role.value.trim(), reason: reason.value, cursor: append ? cursor : null, limit: 50 });
    try {
      const page = await api('GET', `/api/v1/users${q}`);
      cursor = page.nextCursor ?? null;
      const rows = items(page).map((u) => userRow(u, () => void showUser(u.id ?? u.nameId, detail, licenses, ctx)));
      if (!append) {
        if (rows.length === 0) return replace(results, h('p', { class: 'empty' }, 'No user matches these filters.'));
        replace(tbody);
        replace(results, h('div', { class: 'table-wrap' }, h('table', { class: 'stack' }, headRow(USER_COLUMNS), tbody)), more);
      }
      tbody.append(...rows);
      labelCells(tbody, USER_COLUMNS);
      more.hidden = !cursor;
    } catch (err) {
      replace(results, errorBox(err));
    }
  };
  more.addEventListener('click', () => void busy(more, () => load(true)));
  const search = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, 'Search'));
  const form = h(
    'form',
    { class: 'filters', role: 'search', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void busy(search, () => load(false)); } },
    field('User', nameId),
    field('License', license),
    field('Role', role),
    field('Reason', reason),
    h('div', { class: 'field' }, search),
  );
  replace(view, form, results, detail);
  await load(false);
  const wanted = ctx.params.get('user');
  if (wanted) await showUser(wanted, detail, licenses, ctx);
}

/** @param {any} u @param {() => void} open */
function userRow(u, open) {
  return h(
    'tr',
    { 'data-user': u.nameId },
    h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: open }, u.nameId), u.email && u.email !== u.nameId ? h('div', { class: 'hint' }, u.email) : null),
    h('td', null, u.active ? badge('active', 'ok') : badge('inactive', 'warn')),
    h('td', null, (u.roles ?? []).join(', ') || h('span', { class: 'muted' }, 'none')),
    h('td', null, licenseList(u.licenses)),
    h('td', null, u.lastReason ? badge(u.lastReason, u.lastReason === 'BUNDLE_UNAVAILABLE' || u.lastReason === 'NO_MAPPING' ? 'bad' : 'info') : ''),
  );
}

/** @param {any[] | undefined} list */
function licenseList(list) {
  if (!list || list.length === 0) return h('span', { class: 'muted' }, 'none');
  return h('span', null, list.map((l, i) => [i ? ', ' : '', h('code', null, l.key), ' ', badge(l.origin, l.origin === 'manual' ? 'warn' : 'info')]));
}

/** @param {string} ref id or nameId @param {HTMLElement} slot @param {any[]} licenses @param {import('../main.js').PageContext} ctx */
async function showUser(ref, slot, licenses, ctx) {
  replace(slot, h('p', { class: 'loading' }, 'Loading user…'));
  const path = `/api/v1/users/${encodeURIComponent(ref)}`;
  let u, explanation;
  try {
    [u, explanation] = await Promise.all([api('GET', path), api('GET', `${path}/explain`)]);
  } catch (err) {
    replace(slot, errorBox(err));
    return;
  }
  const reopen = () => void showUser(ref, slot, licenses, ctx);
  const errorSlot = h('div');
  const held = /** @type {any[]} */ (u.licenses ?? []);
  const licenseRows = held.map((l) =>
    h(
      'tr',
      null,
      h('td', null, h('code', null, l.key)),
      h('td', null, badge(l.origin, l.origin === 'manual' ? 'warn' : 'info')),
      // A mapping license comes back at the next decision: it is changed through mappings or groups.
      ctx.canWrite
        ? h(
            'td',
            null,
            l.origin === 'manual'
              ? h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${l.key}`, onclick: (/** @type {Event} */ e) => void write(/** @type {HTMLButtonElement} */ (e.currentTarget), 'DELETE', `${path}/licenses/${encodeURIComponent(l.key)}`, undefined, `${l.key} revoked from ${u.nameId}.`) }, 'Revoke')
              : h('span', { class: 'hint' }, 'follows the mappings'),
          )
        : null,
    ),
  );
  const write = (/** @type {HTMLButtonElement} */ button, /** @type {string} */ method, /** @type {string} */ url, /** @type {unknown} */ body, /** @type {string} */ done) =>
    busy(button, async () => {
      try {
        await api(method, url, body);
        notify(done);
        reopen();
      } catch (err) {
        replace(errorSlot, errorBox(err));
      }
    });
  const assignKey = /** @type {HTMLSelectElement} */ (h('select', null, licenses.filter((l) => !held.some((x) => x.key === l.key)).map((l) => h('option', { value: l.key }, `${l.name} (${l.capacity - l.used} free)`))));
  const assignBtn = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit' }, 'Assign manually'));
  const assign = ctx.canWrite
    ? h('form', { class: 'inline', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void write(assignBtn, 'POST', `${path}/licenses`, { key: assignKey.value }, `${assignKey.value} assigned to ${u.nameId}.`); } }, field('License', assignKey), assignBtn)
    : null;
  replace(
    slot,
    h(
      'section',
      { class: 'panel user-detail', 'aria-label': `User ${u.nameId}` },
      h('h2', { tabindex: '-1' }, u.nameId),
      h(
        'dl',
        { class: 'pairs' },
        h('dt', null, 'Name'),
        h('dd', null, [u.firstName, u.lastName].filter(Boolean).join(' ') || '—'),
        h('dt', null, 'Email'),
        h('dd', null, u.email ?? '—'),
        h('dt', null, 'Status'),
        h('dd', null, u.active ? 'active' : 'inactive', u.waitingSince ? ` — waiting for a seat since ${formatTime(u.waitingSince)}` : ''),
        h('dt', null, 'Roles'),
        h('dd', null, (u.roles ?? []).join(', ') || 'none'),
        h('dt', null, 'Created'),
        h('dd', null, formatTime(u.createdAt)),
      ),
      h('h3', null, 'Groups'),
      groups(u),
      h('h3', null, 'Licenses'),
      table(['License', 'Origin', ...(ctx.canWrite ? [''] : [])], licenseRows, 'This user holds no license.'),
      assign,
      errorSlot,
      renderTrace(explanation),
    ),
  );
  /** @type {HTMLElement | null} */ (slot.querySelector('h2'))?.focus();
}

/** Groups by source (saml / scim) when the API gives memberships, else the effective list. @param {any} u */
function groups(u) {
  const memberships = /** @type {any[] | undefined} */ (u.memberships ?? u.groupsBySource);
  if (Array.isArray(memberships) && memberships.length) {
    return table(['Group', 'Source'], memberships.map((m) => h('tr', null, h('td', null, h('code', null, m.group ?? m.name)), h('td', null, badge(m.source)))), 'No groups.');
  }
  if (memberships && typeof memberships === 'object' && !Array.isArray(memberships)) {
    const rows = Object.entries(memberships).flatMap(([source, gs]) => /** @type {string[]} */ (gs).map((g) => h('tr', null, h('td', null, h('code', null, g)), h('td', null, badge(source)))));
    return table(['Group', 'Source'], rows, 'This user belongs to no group.');
  }
  const list = /** @type {string[]} */ (u.groups ?? []);
  return list.length ? h('ul', { class: 'tags' }, list.map((g) => h('li', null, h('code', null, g)))) : h('p', { class: 'empty' }, 'This user belongs to no group.');
}
