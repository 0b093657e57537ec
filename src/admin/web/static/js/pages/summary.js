// @ts-check
/**
 * A redistribution summary: counts per reason, seats acquired and released per license, and for
 * dry runs the per-user diff. Unknown parts are shown as plain key/value lists, so a richer
 * summary from the job runner still reads well.
 */
import { h, table } from '../dom.js';
import { renderPreview } from './preview.js';

/** @param {any} summary */
export function renderSummary(summary) {
  if (!summary || typeof summary !== 'object') return h('p', null, String(summary));
  const parts = [];
  for (const [key, value] of Object.entries(summary)) {
    if (key === 'users' && Array.isArray(value) && value.length && value[0] && 'before' in value[0]) {
      parts.push(renderPreview({ users: value, licenses: [], summary: {} }));
      continue;
    }
    parts.push(h('h3', null, label(key)), plain(value));
  }
  return h('section', { class: 'summary', 'aria-label': 'Summary' }, h('h3', null, 'Summary'), parts);
}

/** @param {unknown} value @returns {Node} */
function plain(value) {
  if (value === null || typeof value !== 'object') return h('p', null, String(value));
  if (Array.isArray(value)) {
    if (value.length === 0) return h('p', { class: 'empty' }, 'none');
    if (value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      const cols = [...new Set(value.flatMap((v) => Object.keys(v)))];
      return table(cols.map(label), value.slice(0, 200).map((v) => h('tr', null, cols.map((c) => h('td', null, cell(v[c]))))), 'none');
    }
    return h('p', null, value.map(cell).join(', '));
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return h('p', { class: 'empty' }, 'none');
  return h('dl', { class: 'pairs' }, entries.map(([k, v]) => [h('dt', null, label(k)), h('dd', null, v !== null && typeof v === 'object' ? plain(v) : cell(v))]));
}

/** @param {unknown} v */
function cell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** camelCase and kebab keys as words, license keys and reason codes kept verbatim. @param {string} k */
function label(k) {
  if (/^[A-Z_]+$/.test(k) || k.includes('-')) return k;
  const words = k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
