// @ts-check
/**
 * Boots the admin page: reads the session (who, which access, CSRF token), then renders the page
 * named by the location hash (#licenses, #mappings…). Read-only sessions get no write controls;
 * the API refuses their writes anyway.
 */
import { api, ApiError, LOGIN_URL, setCsrfToken } from './api.js';
import { h, replace } from './dom.js';
import { errorBox, notify } from './feedback.js';
import * as licenses from './pages/licenses.js';
import * as preference from './pages/preference.js';
import * as policy from './pages/policy.js';
import * as mappings from './pages/mappings.js';
import * as users from './pages/users.js';
import * as redistribution from './pages/redistribution.js';
import * as audit from './pages/audit.js';

/** @typedef {{ nameId: string, access: 'admin' | 'read', canWrite: boolean, params: URLSearchParams }} PageContext */
/** @typedef {{ title: string, render: (view: HTMLElement, ctx: PageContext) => Promise<void> }} Page */

/** @type {Record<string, Page>} */
const PAGES = {
  licenses: { title: 'Licenses', render: licenses.render },
  preference: { title: 'Preference order', render: preference.render },
  policy: { title: 'Policy', render: policy.render },
  mappings: { title: 'Mappings', render: mappings.render },
  users: { title: 'Users', render: users.render },
  redistribution: { title: 'Redistribution', render: redistribution.render },
  audit: { title: 'Audit log', render: audit.render },
};

/** @type {{ nameId: string, access: 'admin' | 'read' } | null} */
let session = null;

async function boot() {
  document.getElementById('skip')?.addEventListener('click', () => document.getElementById('view')?.focus());
  try {
    const s = await api('GET', '/admin/session');
    setCsrfToken(s.csrfToken);
    session = { nameId: s.nameId, access: s.access };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      window.location.assign(LOGIN_URL);
      return;
    }
    replace(/** @type {HTMLElement} */ (document.getElementById('view')), errorBox(err));
    return;
  }
  renderHeader();
  renderNav();
  window.addEventListener('hashchange', () => void route());
  await route();
}

function renderHeader() {
  if (!session) return;
  const who = /** @type {HTMLElement} */ (document.getElementById('who'));
  const signOut = h('button', { type: 'button', class: 'link', onclick: () => void logout() }, 'Sign out');
  replace(who, h('span', null, session.nameId), ' ', h('span', { class: `badge ${session.access === 'admin' ? 'ok' : 'warn'}` }, session.access === 'admin' ? 'admin' : 'read-only'), ' ', signOut);
}

function renderNav() {
  const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
  replace(nav, h('ul', null, Object.entries(PAGES).map(([id, p]) => h('li', null, h('a', { href: `#${id}`, 'data-page': id }, p.title)))));
}

async function route() {
  if (!session) return;
  const [id = 'licenses', qs = ''] = window.location.hash.replace(/^#/, '').split('?');
  const page = PAGES[id] ?? PAGES['licenses'];
  const pageId = PAGES[id] ? id : 'licenses';
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('data-page') === pageId) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const view = /** @type {HTMLElement} */ (document.getElementById('view'));
  const heading = h('h1', { tabindex: '-1' }, page.title);
  const body = h('div', { class: 'page-body' }, h('p', { class: 'loading' }, 'Loading…'));
  replace(view, heading, body);
  document.title = `${page.title} · allot admin`;
  notify('');
  if (document.activeElement && document.activeElement.closest('#nav')) heading.focus();
  const ctx = { nameId: session.nameId, access: session.access, canWrite: session.access === 'admin', params: new URLSearchParams(qs) };
  try {
    await page.render(body, ctx);
  } catch (err) {
    replace(body, errorBox(err));
  }
}

async function logout() {
  try {
    await api('POST', '/admin/logout');
  } catch {
    // the session may already be gone; show the signed-out state anyway
  }
  session = null;
  replace(/** @type {HTMLElement} */ (document.getElementById('who')));
  replace(/** @type {HTMLElement} */ (document.getElementById('nav')));
  replace(
    /** @type {HTMLElement} */ (document.getElementById('view')),
    h('h1', null, 'Signed out'),
    h('p', null, 'You are signed out of the allot administration page. ', h('a', { href: LOGIN_URL }, 'Sign in again')),
  );
}

void boot();
