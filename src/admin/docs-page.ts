/**
 * A readable page of the OpenAPI document at /api/docs, rendered on the server: no script, no
 * CDN, one same-origin stylesheet, so it works under a CSP as strict as `default-src 'none'`.
 */
import type { OpenApiDocument } from './openapi.js';

type Json = Record<string, unknown>;

export const DOCS_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function renderDocsPage(doc: OpenApiDocument, cssHref: string): string {
  const ops: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item as Json)) {
      const o = op as Json;
      const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
      ops.push(`<section class="op" id="${esc(id)}">
<h3><span class="m m-${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p>${esc(String(o['summary'] ?? ''))}</p>${o['description'] ? `<p class="d">${esc(String(o['description']))}</p>` : ''}
${params(o['parameters'])}${body(o['requestBody'])}${responses(o['responses'])}</section>`);
    }
  }
  const schemas = Object.entries((doc.components?.schemas ?? {}) as Json)
    .map(([name, s]) => `<section class="schema" id="schema-${esc(name)}"><h3>${esc(name)}</h3><pre>${esc(JSON.stringify(s, null, 2))}</pre></section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)}</title><link rel="stylesheet" href="${esc(cssHref)}"></head>
<body><header><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description ?? '')}</p><p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p></header>
<main><h2>Operations</h2>${ops.join('\n')}<h2>Schemas</h2>${schemas}</main></body></html>`;
}

function params(list: unknown): string {
  if (!Array.isArray(list) || list.length === 0) return '';
  const rows = (list as Json[]).map(
    (p) => `<tr><td><code>${esc(String(p['name']))}</code></td><td>${esc(String(p['in']))}</td><td>${p['required'] ? 'yes' : ''}</td><td><code>${esc(schemaText(p['schema']))}</code></td></tr>`,
  );
  return `<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>${rows.join('')}</table>`;
}

function body(rb: unknown): string {
  const schema = ((rb as Json | undefined)?.['content'] as Json | undefined)?.['application/json'] as Json | undefined;
  return schema ? `<p>Body: <code>${esc(schemaText(schema['schema']))}</code></p>` : '';
}

function responses(r: unknown): string {
  const rows = Object.entries((r ?? {}) as Json).map(([status, v]) => `<li><b>${esc(status)}</b> ${esc(String((v as Json)['description'] ?? ''))}</li>`);
  return `<ul class="r">${rows.join('')}</ul>`;
}

function schemaText(s: unknown): string {
  const ref = (s as Json | undefined)?.['$ref'];
  return typeof ref === 'string' ? ref.replace('#/components/schemas/', '') : JSON.stringify(s ?? {});
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const DOCS_CSS = `body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#1d2430}
h1 small{font-size:.5em;color:#667}code,pre{font-family:ui-monospace,monospace;font-size:13px}
.op{border:1px solid #d8dde6;border-radius:6px;padding:.5rem 1rem;margin:.75rem 0}.op h3{margin:.25rem 0}
.m{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;color:#fff;font-size:12px;padding:2px 6px}
.m-get{background:#2f6fb3}.m-post{background:#2e8b57}.m-put{background:#b37a2f}.m-patch{background:#7a55b3}.m-delete{background:#b33a3a}
table{border-collapse:collapse}td,th{border:1px solid #d8dde6;padding:2px 8px;text-align:left}.d{color:#445}
pre{background:#f5f7fa;padding:.5rem;overflow:auto;max-height:24rem}`;
