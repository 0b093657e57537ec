// @ts-check
/** Redistribution: choose the scope and flags, start it, watch its progress bar, read its summary. */
import { api, items } from '../api.js';
import { h, replace, field, checkbox, progressBar, badge, formatTime } from '../dom.js';
import { busy, errorBox, notify } from '../feedback.js';
import { renderSummary } from './summary.js';

const POLL_MS = 700;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
const LAST_JOB = 'allot.admin.lastRedistribution';

/** @param {HTMLElement} view @param {import('../main.js').PageContext} ctx */
export async function render(view, ctx) {
  const mappings = items(await api('GET', '/api/v1/mappings'));
  const scope = /** @type {HTMLSelectElement} */ (
    h('select', null, h('option', { value: 'all' }, 'All active users'), h('option', { value: 'role' }, 'Users of one role'), h('option', { value: 'mapping' }, 'Users of one mapping'), h('option', { value: 'user' }, 'One user'))
  );
  const role = /** @type {HTMLInputElement} */ (h('input', { type: 'text', placeholder: 'e.g. AAE_Basic' }));
  const mapping = /** @type {HTMLSelectElement} */ (h('select', null, mappings.map((m) => h('option', { value: m.id }, m.idpGroup))));
  const user = /** @type {HTMLInputElement} */ (h('input', { type: 'text', placeholder: 'nameId' }));
  const targets = { role: field('Role', role), mapping: field('Mapping', mapping), user: field('User', user) };
  const syncScope = () => {
    for (const [k, el] of Object.entries(targets)) el.hidden = scope.value !== k;
  };
  scope.addEventListener('change', syncScope);
  const preset = ctx.params.get('mapping');
  if (preset) {
    scope.value = 'mapping';
    mapping.value = preset;
  }
  syncScope();
  const manual = /** @type {HTMLInputElement} */ (h('input', {}));
  const dryRun = /** @type {HTMLInputElement} */ (h('input', { checked: true }));
  const progress = h('div', { class: 'job', 'aria-live': 'polite' });
  const errorSlot = h('div');
  const start = /** @type {HTMLButtonElement} */ (h('button', { type: 'submit', class: 'primary' }, 'Start'));

  const form = h(
    'form',
    {
      class: 'panel',
      onsubmit: (/** @type {Event} */ e) => {
        e.preventDefault();
        void busy(start, async () => {
          replace(errorSlot);
          const chosen = scope.value;
          const value = chosen === 'role' ? role.value.trim() : chosen === 'mapping' ? mapping.value : chosen === 'user' ? user.value.trim() : '';
          if (chosen !== 'all' && !value) return replace(errorSlot, errorBox(new Error(`Choose the ${chosen} to redistribute.`)));
          const body = { scope: chosen === 'all' ? { all: true } : { [chosen]: value }, redistributeManual: manual.checked, dryRun: dryRun.checked };
          try {
            const job = await api('POST', '/api/v1/redistributions', body);
            sessionStorage.setItem(LAST_JOB, job.id);
            notify(`Redistribution ${job.id} started${dryRun.checked ? ' (dry run: nothing is written)' : ''}.`);
            await watch(job.id, progress, ctx);
          } catch (err) {
            replace(errorSlot, errorBox(err));
          }
        });
      },
    },
    h('p', { class: 'lead' }, 'Applies the current mappings, policy and preference order. Contended seats go to current holders first, then to the oldest users. A dry run shows what would change without writing.'),
    h('div', { class: 'grid' }, field('Scope', scope), targets.role, targets.mapping, targets.user),
    h('fieldset', null, h('legend', null, 'Options'), checkbox('Dry run: compute the changes, write nothing', dryRun), checkbox('Also redistribute manual allocations (revoke them first)', manual)),
    errorSlot,
    ctx.canWrite ? start : h('p', { class: 'hint' }, 'Read-only access: you can follow redistributions but not start one.'),
  );
  replace(view, ctx.canWrite ? form : null, progress);
  const last = sessionStorage.getItem(LAST_JOB);
  if (last) await watch(last, progress, ctx).catch(() => replace(progress));
}

/** Polls the job until it finishes, redrawing the bar each time. @param {string} id @param {HTMLElement} slot @param {import('../main.js').PageContext} ctx */
async function watch(id, slot, ctx) {
  for (;;) {
    if (!slot.isConnected) return;
    const job = await api('GET', `/api/v1/redistributions/${encodeURIComponent(id)}`);
    drawJob(job, slot, ctx);
    if (FINISHED.has(job.status)) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** @param {any} job @param {HTMLElement} slot @param {import('../main.js').PageContext} ctx */
function drawJob(job, slot, ctx) {
  const total = Number(job.total ?? 0);
  const processed = Number(job.processed ?? 0);
  const tone = job.status === 'succeeded' ? 'ok' : job.status === 'failed' ? 'bad' : job.status === 'cancelled' ? 'warn' : 'info';
  const cancel =
    ctx.canWrite && !FINISHED.has(job.status)
      ? h(
          'button',
          {
            type: 'button',
            class: 'danger',
            onclick: (/** @type {Event} */ e) =>
              void busy(/** @type {HTMLButtonElement} */ (e.currentTarget), async () => {
                try {
                  await api('POST', `/api/v1/redistributions/${encodeURIComponent(job.id)}/cancel`);
                  notify('Cancellation requested: the job stops after the current batch.');
                } catch (err) {
                  slot.append(errorBox(err));
                }
              }),
          },
          'Cancel',
        )
      : null;
  replace(
    slot,
    h(
      'section',
      { class: 'panel', 'aria-label': 'Redistribution progress', 'data-status': job.status },
      h('h2', null, 'Redistribution ', h('code', null, String(job.id).slice(0, 8)), ' ', badge(job.status, tone)),
      h('p', { class: 'progress-line' }, progressBar(processed, total, tone), h('span', { class: 'num' }, `${processed} / ${total} users`)),
      job.startedAt ? h('p', { class: 'hint' }, `Started ${formatTime(job.startedAt)}${job.finishedAt ? `, finished ${formatTime(job.finishedAt)}` : ''}.`) : null,
      job.error ? errorBox(new Error(job.error)) : null,
      cancel,
      FINISHED.has(job.status) && job.summary ? renderSummary(job.summary) : null,
    ),
  );
}
