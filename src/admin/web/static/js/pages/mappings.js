// @ts-check
/** Group mappings: list, create, edit, delete; every change can be previewed before it is saved. */
import { api, items } from '../api.js';
import { h, replace, table, field, checkbox, splitList, badge } from '../dom.js';
import { affected, busy, errorBox, notify, withConfirmation } from '../feedback.js';
import { renderPreview } from './preview.js';

/** @param {HTMLElement} view @param {import('../main.js').PageContext} ctx */
export async function render(view, ctx) {
  const [mappingsReply, licenses] = await Promise.all([api('GET', '/api/v1/mappings'), api('GET', '/api/v1/licenses')]);
  const mappings = items(mappingsReply);
  const editor = h('div');
  const reload = () => void render(view, ctx);
  const open = (/** @type {any} */ m) => {
    replace(editor, mappingForm(m, /** @type {any[]} */ (licenses), ctx, reload, () => replace(editor)));
    editor.querySelector('input')?.focus();
  };
  const rows = mappings.map((m) =>
    h(
      'tr',
      { 'data-mapping': m.idpGroup },
      h('th', { scope: 'row' }, h('code', null, m.idpGroup), m.description ? h('div', { class: 'hint' }, m.description) : null),
      h('td', null, m.roles.join(', ') || h('span', { class: 'muted' }, 'none')),
      h('td', null, m.licenses.length ? m.licenses.map((/** @type {string} */ k, /** @type {number} */ i) => [i ? ', ' : '', h('code', null, k)]) : h('span', { class: 'muted' }, 'none')),
      h('td', null, m.enabled ? badge('enabled', 'ok') : badge('disabled', 'warn'), m.autoProvision ? [' ', badge('auto-provision')] : null, m.caseInsensitive ? [' ', badge('any case')] : null),
      ctx.canWrite
        ? h(
            'td',
            { class: 'actions' },
            h('button', { type: 'button', onclick: () => open(m), 'aria-label': `Edit mapping ${m.idpGroup}` }, 'Edit'),
            h('button', { type: 'button', class: 'danger', onclick: () => replace(editor, deletePanel(m, reload, () => replace(editor))), 'aria-label': `Delete mapping ${m.idpGroup}` }, 'Delete'),
          )
        : null,
    ),
  );
  replace(
    view,
    h('p', { class: 'lead' }, 'Each mapping turns an identity-provider group into roles and licenses. Changes take effect at the next decision; preview them first, then run a redistribution to apply them to everyone.'),
    ctx.canWrite ? h('p', null, h('button', { type: 'button', class: 'primary', onclick: () => open(null) }, 'New mapping')) : null,
    editor,
    table(['IdP group', 'Roles', 'Licenses', 'Flags', ...(ctx.canWrite ? ['Actions'] : [])], rows, 'No mappings yet: nobody gets a license until a group is mapped.'),
  );
}

/**
 * @param {any | null} m the mapping to edit, or null for a new one
 * @param {any[]} licenses @param {import('../main.js').PageContext} _ctx @param {() => void} reload @param {() => void} close
 */
function mappingForm(m, licenses, _ctx, reload, close) {
  const group = /** @type {HTMLInputElement} */ (h('input', { type: 'text', value: m?.idpGroup ?? '', required: true, autocomplete: 'off' }));
  const description = /** @type {HTMLInputElement} */ (h('input', { type: 'text', value: m?.description ?? '' }));
  const roles = /** @type {HTMLInputElement} */ (h('input', { type: 'text', value: (m?.roles ?? []).join(', ') }));
  const held = new Set(m?.licenses ?? []);
  const primaries = licenses.filter((l) => l.kind === 'primary');
  const addons = licenses.filter((l) => l.kind !== 'primary');
  const primary = /** @type {HTMLSelectElement} */ (
    h('select', null, h('option', { value: '' }, '(no primary license)'), primaries.map((l) => h('option', { value: l.key, selected: held.has(l.key) }, `${l.name} (${l.key})`)))
  );
  const addonBoxes = addons.map((l) => /** @type {HTMLInputElement} */ (h('input', { value: l.key, checked: held.has(l.key) })));
  const enabled = /** @type {HTMLInputElement} */ (h('input', { checked: m ? m.enabled : true }));
  const autoProvision = /** @type {HTMLInputElement} */ (h('input', { checked: m ? m.autoProvision : true }));
  const caseInsensitive = /** @type {HTMLInputElement} */ (h('input', { checked: m ? m.caseInsensitive : false }));
  const result = h('div');
  const previewBtn = /** @type {HTMLButtonElement} */ (h('button', { type: 'button' }, 'Preview'));
  const saveBtn = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, m ? 'Save changes' : 'Create mapping'));

  const values = () => ({
    idpGroup: group.value.trim(),
    description: description.value.trim(),
    roles: splitList(roles.value),
    licenses: [...(primary.value ? [primary.value] : []), ...addonBoxes.filter((b) => b.checked).map((b) => b.value)],
    autoProvision: autoProvision.checked,
    enabled: enabled.checked,
    caseInsensitive: caseInsensitive.checked,
  });
  const change = () => (m ? { op: 'update', id: m.id, patch: values() } : { op: 'create', mapping: values() });
  const validate = () => (group.value.trim() ? null : 'The IdP group is required: the exact group name or id the IdP sends.');

  previewBtn.addEventListener('click', () =>
    void busy(previewBtn, async () => {
      const invalid = validate();
      if (invalid) return replace(result, errorBox(new Error(invalid)));
      try {
        replace(result, renderPreview(await api('POST', '/api/v1/mappings/preview', { change: change() })));
      } catch (err) {
        replace(result, errorBox(err));
      }
    }),
  );
  const form = h(
    'form',
    {
      class: 'panel editor',
      'aria-label': m ? `Edit mapping ${m.idpGroup}` : 'New mapping',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        void busy(saveBtn, async () => {
          const invalid = validate();
          if (invalid) return replace(result, errorBox(new Error(invalid)));
          try {
            const body = values();
            const saved = await withConfirmation((confirm) =>
              m
                ? api('PATCH', `/api/v1/mappings/${encodeURIComponent(m.id)}`, confirm ? { ...body, confirm: true } : body)
                : api('POST', '/api/v1/mappings', confirm ? { ...body, confirm: true } : body),
            );
            if (saved === undefined) return;
            notify(`Mapping ${body.idpGroup} saved.${affected(saved)} Run a redistribution to apply it to current users.`);
            reload();
          } catch (err) {
            replace(result, errorBox(err));
          }
        });
      },
    },
    h('h2', null, m ? `Edit mapping ${m.idpGroup}` : 'New mapping'),
    h(
      'div',
      { class: 'grid' },
      field('IdP group', group, 'Exact string the IdP sends (name or object id).'),
      field('Description', description),
      field('Roles', roles, 'Comma-separated, e.g. AAE_Basic'),
      field('Primary license', primary),
    ),
    addons.length ? h('fieldset', null, h('legend', null, 'Add-ons'), addonBoxes.map((b, i) => checkbox(`${addons[i].name} (${addons[i].key})`, b))) : null,
    h('fieldset', null, h('legend', null, 'Options'), checkbox('Enabled', enabled), checkbox('May create users at login (auto-provision)', autoProvision), checkbox('Match the group name in any case', caseInsensitive)),
    h('div', { class: 'buttons' }, previewBtn, saveBtn, h('button', { type: 'button', onclick: close }, 'Cancel')),
    result,
  );
  return form;
}

/** A delete shows its preview first and asks for confirmation. @param {any} m @param {() => void} reload @param {() => void} close */
function deletePanel(m, reload, close) {
  const result = h('div', null, h('p', { class: 'loading' }, 'Computing the effect of the deletion…'));
  const confirmBtn = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'danger' }, `Delete ${m.idpGroup}`));
  const panel = h('section', { class: 'panel', 'aria-label': `Delete mapping ${m.idpGroup}` }, h('h2', null, `Delete mapping ${m.idpGroup}?`), result, h('div', { class: 'buttons' }, confirmBtn, h('button', { type: 'button', onclick: close }, 'Cancel')));
  void api('POST', '/api/v1/mappings/preview', { change: { op: 'delete', id: m.id } })
    .then((p) => replace(result, renderPreview(p)))
    .catch((err) => replace(result, errorBox(err)));
  confirmBtn.addEventListener('click', () =>
    void busy(confirmBtn, async () => {
      try {
        const done = await withConfirmation((confirm) => api('DELETE', `/api/v1/mappings/${encodeURIComponent(m.id)}${confirm ? '?confirm=true' : ''}`));
        if (done !== undefined) notify(`Mapping ${m.idpGroup} deleted.`);
        reload();
      } catch (err) {
        result.prepend(errorBox(err));
      }
    }),
  );
  queueMicrotask(() => confirmBtn.focus());
  return panel;
}

