// /docs: the OpenAPI document rendered to HTML on the server by a small renderer (endpoints,
// parameters, schemas, example requests); no script, no third-party UI.
import { esc, type PageParts } from './html.ts';
import { STYLE } from './style.ts';

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document walked by key, whatever its shape
type Json = Record<string, any>;

const refName = (r: string) => r.slice(r.lastIndexOf('/') + 1);
const link = (r: string) => `<a href="#schema-${esc(refName(r))}">${esc(refName(r))}</a>`;

/** One-line type of a schema: `integer 5–18`, `"a" | "b"`, `array of X`, a link for a $ref. */
function typeOf(sc: Json | undefined): string {
  if (!sc) return '';
  if (sc.$ref) return link(sc.$ref);
  if (sc.anyOf) return sc.anyOf.map(typeOf).join(' or ');
  if (sc.enum) return sc.enum.map((v: unknown) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if (sc.const !== undefined) return `<code>${esc(JSON.stringify(sc.const))}</code>`;
  if (sc.type === 'array') return `array of ${typeOf(sc.items)}`;
  if (sc.type === 'object' && sc.additionalProperties && typeof sc.additionalProperties === 'object') {
    return `map of ${typeOf(sc.additionalProperties)}`;
  }
  let t = esc(sc.type ?? 'any');
  const [lo, hi] = [sc.minimum, sc.maximum];
  if (lo !== undefined || hi !== undefined)
    t += lo === undefined ? ` ≤ ${hi}` : hi === undefined ? ` ≥ ${lo}` : ` ${lo}–${hi}`;
  if (sc.format) t += ` (${esc(sc.format)})`;
  if (sc.pattern) t += ` <code>${esc(sc.pattern)}</code>`;
  return t;
}

/** Rows for each property, nested objects flattened with dotted names. */
function propRows(sc: Json, prefix = ''): string[] {
  const rows: string[] = [];
  const req = new Set<string>(sc.required ?? []);
  for (const [name, p] of Object.entries<Json>(sc.properties ?? {})) {
    const nested = p.type === 'object' && p.properties;
    const items = p.type === 'array' && p.items?.type === 'object' ? p.items : undefined;
    rows.push(
      `<tr><td><code>${esc(prefix + name)}</code>${req.has(name) ? '' : ' <span class="muted">optional</span>'}</td>` +
        `<td>${nested ? 'object' : items ? 'array of object' : typeOf(p)}</td><td>${notes(p.description, p.default)}</td></tr>`,
    );
    if (nested) rows.push(...propRows(p, `${prefix}${name}.`));
    if (items) rows.push(...propRows(items, `${prefix}${name}[].`));
  }
  return rows;
}

const notes = (description: unknown, dflt: unknown) =>
  [description ? esc(description) : '', dflt !== undefined ? `default <code>${esc(dflt)}</code>` : '']
    .filter(Boolean)
    .join(' · ');

const table = (head: string[], rows: string[]) =>
  rows.length
    ? `<div class="scroll"><table><thead><tr>${head.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`
    : '';

function example(path: string, method: string, op: Json): string {
  const keyed = (op.security ?? []).some((s: Json) => s.ApiKey);
  const query = (op.parameters ?? [])
    .filter((p: Json) => p.in === 'query')
    .map((p: Json) => [p.name, p.schema?.default ?? p.schema?.examples?.[0]])
    .filter(([, v]: unknown[]) => v !== undefined);
  const url =
    path.replace('{id}', '1') + (query.length ? `?${query.map(([k, v]: unknown[]) => `${k}=${v}`).join('&')}` : '');
  const body = op.requestBody?.content?.['application/json']?.example;
  const lines = [`curl${method === 'get' ? '' : ` -X ${method.toUpperCase()}`} "$BASE${url}"`];
  if (keyed) lines.push(`-H "X-API-KEY: $API_KEY"`);
  if (body) lines.push(`-H "Content-Type: application/json"`, `-d '${JSON.stringify(body)}'`);
  return `<pre>${esc(lines.join(' \\\n  '))}</pre>`;
}

function operation(doc: Json, path: string, method: string, op: Json): string {
  const sec = op.security ?? doc.security;
  const auth =
    sec.length === 0
      ? 'Public'
      : sec.some((s: Json) => Object.keys(s).length === 0)
        ? 'Key optional (see parameters)'
        : 'Needs X-API-KEY';
  const params = (op.parameters ?? []).map(
    (p: Json) =>
      `<tr><td><code>${esc(p.name)}</code> <span class="muted">${esc(p.in)}${p.required ? ', required' : ''}</span></td>` +
      `<td>${typeOf(p.schema)}</td><td>${notes(p.description, p.schema?.default)}</td></tr>`,
  );
  const bodyRef = op.requestBody?.content?.['application/json']?.schema?.$ref;
  const responses = Object.entries<Json>(op.responses).map(([status, r]) => {
    const res: Json = r.$ref ? doc.components.responses[refName(r.$ref)] : r;
    const [type, media] = Object.entries<Json>(res.content ?? {})[0] ?? [];
    const body = type === 'application/json' ? typeOf(media?.schema) : esc(type ?? '');
    return `<tr><td><b>${esc(status)}</b></td><td>${esc(res.description)}</td><td>${body}</td></tr>`;
  });
  return (
    `<section class="card" id="op-${esc(op.operationId)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>` +
    `<p>${esc(op.summary)}.${op.description ? ` ${esc(op.description)}` : ''} <span class="muted">· ${auth}</span></p>` +
    table(['Parameter', 'Type', 'Notes'], params) +
    (bodyRef ? `<p>Request body (application/json): ${link(bodyRef)}</p>` : '') +
    table(['Status', 'Meaning', 'Body'], responses) +
    example(path, method, op) +
    `</section>`
  );
}

function renderDocs(doc: Json): string {
  const ops: string[] = [];
  const toc: string[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const [method, op] of Object.entries<Json>(item)) {
      ops.push(operation(doc, path, method, op));
      toc.push(
        `<li><a href="#op-${esc(op.operationId)}"><span class="m ${method}">${method.toUpperCase()}</span> ${esc(path)}</a> <span class="muted">${esc(op.summary)}</span></li>`,
      );
    }
  }
  const schemas = Object.entries<Json>(doc.components.schemas).map(
    ([name, sc]) =>
      `<section class="card" id="schema-${esc(name)}"><h3>${esc(name)}</h3>${sc.description ? `<p>${esc(sc.description)}</p>` : ''}` +
      table(['Field', 'Type', 'Notes'], propRows(sc)) +
      `</section>`,
  );
  const key = doc.components.securitySchemes.ApiKey;
  return (
    `<main><header><h1>${esc(doc.info.title)} <span class="muted">${esc(doc.info.version)} · OpenAPI ${esc(doc.openapi)}</span></h1>` +
    `<p>${esc(doc.info.description)}</p><p>Authentication: header <code>${esc(key.name)}</code>. Examples use <code>BASE</code> (this origin) and <code>API_KEY</code> shell variables. ` +
    `Machine-readable: <a href="/openapi.json">/openapi.json</a> · try it: <a href="/demo">/demo</a></p></header>` +
    `<section><h2>Endpoints</h2><ul>${toc.join('')}</ul></section>${ops.join('')}<h2>Schemas</h2>${schemas.join('')}</main>`
  );
}

export const docsPage = (doc: Json): PageParts => ({
  title: 'NHIS risk API · reference',
  style: STYLE,
  body: renderDocs(doc),
});
