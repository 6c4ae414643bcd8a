// Self-contained HTML pages (/demo, /docs): one inline <style> and optional <script>, allowed by
// their SHA-256 hashes in a strict Content-Security-Policy; nothing loads from another origin.
import type { Context } from 'hono';

export interface PageParts {
  title: string;
  style: string;
  script?: string;
  body: string;
}

export interface HtmlPage {
  html: string;
  csp: string;
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  let bin = '';
  for (const b of digest) bin += String.fromCharCode(b);
  return `'sha256-${btoa(bin)}'`;
}

/** Hashes cover the exact text between the tags (CSP Level 3, "hash-source"). */
async function assemble(p: PageParts): Promise<HtmlPage> {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(p.title)}</title>` +
    `<link rel="icon" href="data:,"><style>${p.style}</style></head><body>${p.body}` +
    (p.script ? `<script>${p.script}</script>` : '') +
    `</body></html>`;
  const csp = [
    `default-src 'none'`,
    p.script ? `script-src ${await sha256(p.script)}` : '',
    `style-src ${await sha256(p.style)}`,
    p.script ? `connect-src 'self'` : '',
    `img-src data:`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
  ].filter(Boolean);
  return { html, csp: csp.join('; ') };
}

/** Builds the page on first request and keeps it for the life of the isolate. */
export function lazyPage(parts: () => PageParts): () => Promise<HtmlPage> {
  let page: Promise<HtmlPage> | undefined;
  return () => (page ??= assemble(parts()));
}

export function sendPage(c: Context, page: HtmlPage): Response {
  c.header('Content-Type', 'text/html; charset=utf-8');
  c.header('Content-Security-Policy', page.csp);
  c.header('Cache-Control', 'public, max-age=300');
  return c.body(page.html);
}

/** Escapes text for HTML element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
