// @ts-check
/** Policy (SPEC §1): admin roles and license, fallback, and the just-in-time login rules. */
import { api } from '../api.js';
import { h, replace, field, checkbox, splitList } from '../dom.js';
import { affected, busy, errorBox, notify, withConfirmation } from '../feedback.js';

const FLAGS = [
  ['fallbackToNextPreference', 'Fall back to the next preference when a bundle is sold out'],
  ['jit.redistributeManual', 'At login, revoke manual allocations and decide like everyone else'],
  ['jit.denyUnmapped', 'Refuse login to users no mapping matches'],
  ['jit.reactivateOnLogin', 'Reactivate deactivated users when they log in'],
];

/** @param {HTMLElement} view @param {import('../main.js').PageContext} ctx */
export async function render(view, ctx) {
  const [policy, licenses] = await Promise.all([api('GET', '/api/v1/policy'), api('GET', '/api/v1/licenses')]);
  const ro = !ctx.canWrite;
  const roles = /** @type {HTMLInputElement} */ (h('input', { type: 'text', value: policy.adminRoles.join(', '), disabled: ro }));
  const adminLicense = /** @type {HTMLSelectElement} */ (
    h('select', { disabled: ro }, /** @type {any[]} */ (licenses).map((l) => h('option', { value: l.key, selected: l.key === policy.adminLicense }, `${l.name} (${l.key})`)))
  );
  if (![...adminLicense.options].some((o) => o.value === policy.adminLicense)) adminLicense.append(h('option', { value: policy.adminLicense, selected: true }, `${policy.adminLicense} (unknown license)`));
  /** @type {Map<string, HTMLInputElement>} */
  const boxes = new Map();
  for (const [path] of FLAGS) boxes.set(/** @type {string} */ (path), /** @type {HTMLInputElement} */ (h('input', { checked: read(policy, /** @type {string} */ (path)), disabled: ro })));
  const errorSlot = h('div');
  const save = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, 'Save policy'));
  const form = h(
    'form',
    {
      class: 'panel',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        void busy(save, async () => {
          replace(errorSlot);
          const next = {
            adminRoles: splitList(roles.value),
            adminLicense: adminLicense.value,
            fallbackToNextPreference: Boolean(boxes.get('fallbackToNextPreference')?.checked),
            jit: {
              redistributeManual: Boolean(boxes.get('jit.redistributeManual')?.checked),
              denyUnmapped: Boolean(boxes.get('jit.denyUnmapped')?.checked),
              reactivateOnLogin: Boolean(boxes.get('jit.reactivateOnLogin')?.checked),
            },
          };
          try {
            const done = await withConfirmation((confirm) => api('PUT', '/api/v1/policy', confirm ? { ...next, confirm: true } : next));
            if (done !== undefined) notify(`Policy saved.${affected(done)} It applies to the next decisions; run a redistribution to apply it to everyone now.`);
          } catch (err) {
            replace(errorSlot, errorBox(err));
          }
        });
      },
    },
    field('Admin roles', roles, 'Comma-separated. A mapping carrying one of these roles gives only the admin license.'),
    field('Admin license', adminLicense),
    h('fieldset', null, h('legend', null, 'Rules'), FLAGS.map(([path, label]) => checkbox(/** @type {string} */ (label), /** @type {HTMLInputElement} */ (boxes.get(/** @type {string} */ (path)))))),
    errorSlot,
    ctx.canWrite ? save : h('p', { class: 'hint' }, 'Read-only access: the policy cannot be changed from this session.'),
  );
  replace(view, form);
}

/** @param {any} obj @param {string} path */
function read(obj, path) {
  return path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj) === true;
}
