// @ts-check
/**
 * A tiny element builder: every text becomes a text node, never parsed as HTML, so data from the
 * IdP or the API (group names, nameIds) can never inject markup.
 */

/** @typedef {string | number | Node | null | undefined | false} Child */
/** @typedef {Child | Child[] | Child[][] | Child[][][] | (Child | Child[] | Child[][])[]} Children */

/**
 * @param {string} tag
 * @param {Record<string, any> | null} [attrs] on* keys add listeners; `class`, `value`, `checked` and booleans are handled
 * @param {...Children} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = String(v);
    else if (k === 'value') /** @type {HTMLInputElement} */ (el).value = String(v);
    else if (k === 'checked') /** @type {HTMLInputElement} */ (el).checked = Boolean(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

/** @param {Node} el @param {Children[]} children */
function append(el, children) {
  for (const c of /** @type {Child[]} */ (children.flat(Infinity))) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** @param {Element} el @param {...Children} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

let fieldSeq = 0;
/** A label + control pair with a generated id. @param {string} label @param {HTMLElement} control @param {string} [hint] */
export function field(label, control, hint) {
  const id = control.id || `f${++fieldSeq}`;
  control.id = id;
  const hintEl = hint ? h('small', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** @param {string} label @param {HTMLInputElement} box */
export function checkbox(label, box) {
  box.type = 'checkbox';
  return h('label', { class: 'check' }, box, ' ', label);
}

/** @typedef {string | { label: string, num?: boolean }} Column */

/** @param {Column} c */
const colLabel = (c) => (typeof c === 'string' ? c : c.label);

/** The header row; numeric columns are right-aligned like their cells. @param {Column[]} head */
export function headRow(head) {
  return h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col', class: typeof c === 'string' || !c.num ? null : 'num' }, colLabel(c)))));
}

/**
 * Gives each cell its column name (data-label), which narrow screens show before the value when
 * the table is stacked into cards. @param {Element} tbody @param {Column[]} head
 */
export function labelCells(tbody, head) {
  for (const tr of tbody.querySelectorAll(':scope > tr')) {
    [...tr.children].forEach((cell, i) => {
      const label = head[i] === undefined ? '' : colLabel(/** @type {Column} */ (head[i]));
      if (label && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', label);
    });
  }
}

/** A table, or the empty-state sentence when there are no rows. @param {Column[]} head @param {Node[]} rows @param {string} empty @param {string} [caption] */
export function table(head, rows, empty, caption) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  const tbody = h('tbody', null, rows);
  labelCells(tbody, head);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'stack' }, caption ? h('caption', null, caption) : null, headRow(head), tbody));
}

/** @param {string} text @param {'ok' | 'warn' | 'bad' | 'info'} [tone] */
export function badge(text, tone = 'info') {
  return h('span', { class: `badge ${tone}` }, text);
}

/** Comma- or newline-separated text → trimmed non-empty values. @param {string} text */
export function splitList(text) {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** A horizontal usage bar (width set through the CSSOM: the CSP forbids style attributes). @param {number} used @param {number} capacity */
export function usageBar(used, capacity) {
  const pct = capacity > 0 ? Math.min(100, Math.round((used / capacity) * 100)) : used > 0 ? 100 : 0;
  const fill = h('span', { class: `fill ${pct >= 100 ? 'full' : pct >= 85 ? 'high' : ''}` });
  fill.style.width = `${pct}%`;
  return h(
    'span',
    { class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': capacity, 'aria-valuenow': used, 'aria-label': `${used} of ${capacity} seats used` },
    fill,
  );
}

/** A job's progress bar (no "full" warning colour: 100 % is the goal here). @param {number} done @param {number} total @param {string} tone */
export function progressBar(done, total, tone) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : tone === 'ok' ? 100 : 0;
  const fill = h('span', { class: `fill ${tone}` });
  fill.style.width = `${pct}%`;
  return h('span', { class: 'bar progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': done, 'aria-label': `${done} of ${total} users processed` }, fill);
}
