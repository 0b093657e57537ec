// @ts-check
/** Status and error messages: one live region for the whole page, plus inline error boxes. */
import { h } from './dom.js';
import { ApiError, LOGIN_URL } from './api.js';

/** @param {string} text @param {'ok' | 'error'} [tone] */
export function notify(text, tone = 'ok') {
  const region = document.getElementById('status');
  if (!region) return;
  region.className = `status ${tone}`;
  region.textContent = text;
}

/** An error box naming what went wrong (the API message), with a sign-in link on 401. @param {unknown} err */
export function errorBox(err) {
  notify(''); // an earlier success message must not sit above this error
  const message = err instanceof Error ? err.message : String(err);
  const box = h('div', { class: 'error', role: 'alert' }, h('strong', null, 'Error: '), message);
  if (err instanceof ApiError && err.status === 401) box.append(' ', h('a', { href: LOGIN_URL }, 'Sign in'));
  if (err instanceof ApiError && Array.isArray(err.details)) {
    const list = err.details
      .filter((d) => d && typeof d === 'object' && 'message' in d)
      .map((d) => h('li', null, `${d.path ? `${d.path}: ` : ''}${d.message}`));
    if (list.length > 1) box.append(h('ul', null, list));
  }
  return box;
}

/**
 * Runs a write; when the API refuses it because it needs confirmation (e.g. a change that leaves
 * no active admin), asks the person and repeats it with confirm = true.
 * @template T
 * @param {(confirm: boolean) => Promise<T>} write
 * @returns {Promise<T | undefined>}
 */
export async function withConfirmation(write) {
  try {
    return await write(false);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 409 || err.status === 400) && /confirm/i.test(err.message)) {
      if (!window.confirm(`${err.message}\n\nProceed anyway?`)) return undefined;
      return write(true);
    }
    throw err;
  }
}

/** Disables a button while `work` runs, so a double click sends one request. @param {HTMLButtonElement} button @param {() => Promise<void>} work */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** " N users would change." from a write's affectedUsers, when the API says it. @param {any} saved */
export function affected(saved) {
  const n = saved?.affectedUsers;
  return typeof n === 'number' ? ` ${n} ${n === 1 ? 'user' : 'users'} would change.` : '';
}
