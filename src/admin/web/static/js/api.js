// @ts-check
/**
 * The admin API seen from the page: JSON in and out, the session cookie sent by the browser and
 * the session's CSRF token in X-CSRF-Token on every state-changing call. Errors become ApiError
 * with the API's own message, which names what was wrong.
 */

export const LOGIN_URL = '/saml/login?RelayState=%2Fadmin';

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message @param {unknown} [details] */
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrfToken = '';
/** @param {string} token */
export function setCsrfToken(token) {
  csrfToken = token;
}

/**
 * @param {string} method
 * @param {string} path relative to the site root, e.g. /api/v1/licenses
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, path, body) {
  const res = await send(method, path, body, 'application/json');
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** A CSV (or other) download as a Blob. @param {string} path @param {string} accept */
export async function download(path, accept) {
  const res = await send('GET', path, undefined, accept);
  return res.blob();
}

/** @param {string} method @param {string} path @param {unknown} body @param {string} accept */
async function send(method, path, body, accept) {
  /** @type {Record<string, string>} */
  const headers = { Accept: accept };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'allot could not be reached; check your connection and retry');
  }
  if (res.ok) return res;
  let code = `HTTP_${res.status}`;
  let message = `${method} ${path} failed with status ${res.status}`;
  let details;
  try {
    const parsed = await res.json();
    if (parsed && parsed.error) ({ code, message, details } = { code: parsed.error.code ?? code, message: parsed.error.message ?? message, details: parsed.error.details });
  } catch {
    // not JSON: keep the generic message
  }
  if (res.status === 401) message = 'Your session has ended. Sign in again to continue.';
  throw new ApiError(res.status, code, message, details);
}

/** Query string from the non-empty values. @param {Record<string, string | number | boolean | null | undefined>} params */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Lists come as arrays or as {items}. @param {any} reply @returns {any[]} */
export function items(reply) {
  if (Array.isArray(reply)) return reply;
  return Array.isArray(reply?.items) ? reply.items : [];
}
