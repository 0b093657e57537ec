// @ts-check
/** Preference order of primary licenses, highest first, reordered with up/down buttons. */
import { api } from '../api.js';
import { h, replace } from '../dom.js';
import { affected, busy, errorBox, notify } from '../feedback.js';

/** @param {HTMLElement} view @param {import('../main.js').PageContext} ctx */
export async function render(view, ctx) {
  const [pref, licenses] = await Promise.all([api('GET', '/api/v1/preference-order'), api('GET', '/api/v1/licenses')]);
  /** @type {string[]} */
  let order = Array.isArray(pref) ? pref : pref.order;
  const names = new Map(/** @type {any[]} */ (licenses).map((l) => [l.key, l.name]));
  const primaries = /** @type {any[]} */ (licenses).filter((l) => l.kind === 'primary').map((l) => l.key);
  const list = h('ol', { class: 'order' });
  const unranked = h('div');
  const errorSlot = h('div');
  const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'primary' }, 'Save order'));

  const draw = (/** @type {number} */ focusIndex = -1, /** @type {string} */ focusDir = '') => {
    replace(
      list,
      order.map((key, i) => {
        const up = h('button', { type: 'button', 'aria-label': `Move ${key} up`, disabled: i === 0, onclick: () => move(i, -1) }, '↑');
        const down = h('button', { type: 'button', 'aria-label': `Move ${key} down`, disabled: i === order.length - 1, onclick: () => move(i, 1) }, '↓');
        const remove = h('button', { type: 'button', class: 'link', onclick: () => { order = order.filter((k) => k !== key); draw(); } }, 'Remove');
        const li = h('li', { 'data-key': key }, h('span', { class: 'rank' }, `${i + 1}.`), h('span', { class: 'grow' }, label(names, key)), ctx.canWrite ? h('span', { class: 'actions' }, up, down, remove) : null);
        if (i === focusIndex) {
          const preferred = /** @type {HTMLButtonElement} */ (focusDir === 'up' ? up : down);
          queueMicrotask(() => (preferred.disabled ? /** @type {HTMLButtonElement} */ (focusDir === 'up' ? down : up) : preferred).focus());
        }
        return li;
      }),
    );
    const missing = primaries.filter((k) => !order.includes(k));
    replace(
      unranked,
      missing.length === 0
        ? null
        : h(
            'div',
            { class: 'panel' },
            h('h2', null, 'Not in the order'),
            h('p', { class: 'hint' }, 'These primary licenses rank last (ties broken by key).'),
            h('ul', null, missing.map((k) => h('li', null, label(names, k), ' ', ctx.canWrite ? h('button', { type: 'button', onclick: () => { order = [...order, k]; draw(); } }, 'Add to order') : null))),
          ),
    );
  };
  const move = (/** @type {number} */ i, /** @type {number} */ delta) => {
    const j = i + delta;
    if (j < 0 || j >= order.length) return;
    const next = [...order];
    [next[i], next[j]] = [/** @type {string} */ (next[j]), /** @type {string} */ (next[i])];
    order = next;
    draw(j, delta < 0 ? 'up' : 'down');
  };
  save.addEventListener('click', () =>
    void busy(save, async () => {
      replace(errorSlot);
      try {
        const saved = await api('PUT', '/api/v1/preference-order', { order });
        notify(`Preference order saved.${affected(saved)} Run a redistribution to apply it to current holders.`);
      } catch (err) {
        replace(errorSlot, errorBox(err));
      }
    }),
  );
  draw();
  replace(
    view,
    h('p', { class: 'lead' }, 'When a user’s mappings offer several primary licenses, the highest one in this order wins.'),
    order.length === 0 ? h('p', { class: 'empty' }, 'The order is empty: every primary ranks equally, ties broken by key.') : null,
    list,
    unranked,
    errorSlot,
    ctx.canWrite ? h('p', null, save) : null,
  );
}

/** The license name and its key, or only the key when they are the same. @param {Map<string, string>} names @param {string} key */
function label(names, key) {
  const name = names.get(key);
  return name && name !== key ? [name, ' ', h('code', null, key)] : h('code', null, key);
}
