// @ts-check
/** Licenses: seats bought, used and free per license type, with a bar each; admins edit capacity. */
import { api, ApiError } from '../api.js';
import { h, replace, table, usageBar, badge } from '../dom.js';
import { busy, errorBox, notify } from '../feedback.js';

/** @param {HTMLElement} view @param {import('../main.js').PageContext} ctx */
export async function render(view, ctx) {
  const list = /** @type {any[]} */ (await api('GET', '/api/v1/licenses'));
  const totalCap = list.reduce((n, l) => n + l.capacity, 0);
  const totalUsed = list.reduce((n, l) => n + l.used, 0);
  const rows = list.map((l) => row(l, ctx, () => void render(view, ctx)));
  replace(
    view,
    h('p', { class: 'lead' }, `${list.length} license types, ${totalUsed} of ${totalCap} seats in use.`),
    table(
      ['License', 'Kind', 'Capacity', { label: 'Used', num: true }, { label: 'Free', num: true }, 'Usage'],
      rows,
      'No license types yet. Create them through the admin API (PUT /api/v1/licenses/:key) or the demo seed.',
    ),
  );
}

/** @param {any} l @param {import('../main.js').PageContext} ctx @param {() => void} reload */
function row(l, ctx, reload) {
  const free = Math.max(0, l.capacity - l.used);
  const capCell = ctx.canWrite ? capacityEditor(l, reload) : String(l.capacity);
  return h(
    'tr',
    { 'data-license': l.key },
    h('th', { scope: 'row' }, l.name && l.name !== l.key ? [h('span', null, l.name), h('br')] : null, h('code', null, l.key)),
    h('td', null, badge(l.kind, l.kind === 'primary' ? 'info' : 'ok')),
    h('td', null, capCell),
    h('td', { class: 'num' }, String(l.used)),
    h('td', { class: `num ${free === 0 ? 'bad-text' : ''}` }, free === 0 ? 'sold out' : String(free)),
    h('td', { class: 'bar-cell' }, usageBar(l.used, l.capacity)),
  );
}

/** @param {any} l @param {() => void} reload */
function capacityEditor(l, reload) {
  const input = /** @type {HTMLInputElement} */ (h('input', { type: 'number', min: 0, step: 1, value: l.capacity, class: 'narrow', 'aria-label': `Capacity of ${l.name}` }));
  const errorSlot = h('div');
  const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit' }, 'Save'));
  const form = h(
    'form',
    {
      class: 'inline',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        void busy(save, async () => {
          replace(errorSlot);
          const capacity = Number(input.value);
          if (!Number.isInteger(capacity) || capacity < 0) {
            replace(errorSlot, errorBox(new Error('Capacity must be a whole number, 0 or more.')));
            return;
          }
          let reply;
          try {
            reply = await putCapacity(l, capacity, false);
          } catch (err) {
            const forceable = err instanceof ApiError && err.status === 409 && /force/.test(err.message);
            if (!forceable || !window.confirm(`${err.message}\n\nReclaim seats and start a redistribution?`)) {
              replace(errorSlot, errorBox(err), forceable ? h('p', { class: 'hint' }, 'Nothing changed. To lower it anyway, save again and accept reclaiming seats from the users ranked last.') : null);
              return;
            }
            try {
              reply = await putCapacity(l, capacity, true);
            } catch (err2) {
              replace(errorSlot, errorBox(err2));
              return;
            }
          }
          if (reply?.reclaimed) {
            const n = Array.isArray(reply.reclaimed) ? reply.reclaimed.length : Number(reply.reclaimed);
            notify(`Capacity of ${l.name} set to ${capacity}: ${n} seats reclaimed${reply.job ? ', a redistribution is running (see Redistribution)' : ''}.`);
            if (reply.job?.id) sessionStorage.setItem('allot.admin.lastRedistribution', reply.job.id);
            reload();
            return;
          }
          notify(`Capacity of ${l.name} set to ${capacity}.`);
          reload();
        });
      },
    },
    input,
    save,
    errorSlot,
  );
  return form;
}

/** @param {any} l @param {number} capacity @param {boolean} force */
function putCapacity(l, capacity, force) {
  return api('PUT', `/api/v1/licenses/${encodeURIComponent(l.key)}`, { name: l.name, kind: l.kind, capacity, ...(force ? { force: true } : {}) });
}
