// Responses with the common headers (X-Request-ID, X-Response-Time, Server-Timing, security
// headers: docs/api.md#common-headers). Responses built with respond()/json() start from a Headers
// object holding the headers every response shares, which the runtime copies natively; only the
// per-request ones are set from JavaScript. On the Workers runtime every header passed from
// JavaScript crosses into the runtime and is converted and checked there, so the hot path passes
// as few as it can.
import type { Context } from 'hono';
import type { RequestVars } from './hono-env.ts';

/**
 * Security headers for a JSON API (the demo and docs pages set their own CSP). HSTS is left to
 * the Cloudflare zone setting, which applies it to every response of the hostname.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Per content type, the headers every response of that type shares: built once, copied per response. */
const sharedByType = new Map<string, Headers>();

function sharedHeaders(contentType: string): Headers {
  let h = sharedByType.get(contentType);
  if (!h) {
    // Content types come from the code (a handful of constants), never from a request.
    h = new Headers({ ...SECURITY_HEADERS, 'Content-Type': contentType });
    sharedByType.set(contentType, h);
  }
  return h;
}

export function elapsed(c: Context<{ Variables: RequestVars }>): number {
  // In Workers the clock only advances across I/O, so the figure is wall time between I/O.
  return Date.now() - c.get('startedAt');
}

/** The per-request common headers: the one place they are set, for every response. */
export function stampCommonHeaders(h: Headers, c: Context<{ Variables: RequestVars }>, ms: number): void {
  h.set('X-Request-ID', c.get('requestId'));
  h.set('X-Response-Time', `${ms}ms`);
  h.set('Server-Timing', c.get('timings').header(ms));
}

/** Builds the response with every common header at once. */
export function respond(
  c: Context<{ Variables: RequestVars }>,
  body: string | Uint8Array | null,
  status: number,
  contentType: string,
  headers?: Record<string, string>,
): Response {
  const ms = elapsed(c);
  // The Response copies the shared Headers (mutable: the copy is the response's own).
  const res = new Response(body, { status, headers: sharedHeaders(contentType) });
  const h = res.headers;
  stampCommonHeaders(h, c, ms);
  const extra = c.get('extraHeaders');
  if (extra) for (const name in extra) h.set(name, extra[name]!);
  if (headers) for (const name in headers) h.set(name, headers[name]!);
  c.set('built', res);
  return res;
}

export function json(
  c: Context<{ Variables: RequestVars }>,
  value: unknown,
  status = 200,
  headers?: Record<string, string>,
): Response {
  return respond(c, JSON.stringify(value), status, JSON_TYPE, headers);
}
