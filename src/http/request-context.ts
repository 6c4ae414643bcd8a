// The per-request context: an id (the caller's X-Request-ID when well-formed), the start time and
// the dependency timings, set before the routes run; after them, the common headers for any
// response respond() did not build, and the request's figures for the metrics.
import type { Context, MiddlewareHandler } from 'hono';
import type { RequestVars } from './hono-env.ts';
import { elapsed, JSON_TYPE, SECURITY_HEADERS, stampCommonHeaders } from './respond.ts';
import { Timings } from './timings.ts';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `onDone` sees every request once its response is final (metrics). */
export function requestContext(
  onDone?: (c: Context, totalMs: number) => void,
): MiddlewareHandler<{ Variables: RequestVars }> {
  return async function requestContext(c, next) {
    const incoming = c.req.header('x-request-id');
    c.set('startedAt', Date.now());
    c.set('requestId', incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID());
    c.set('timings', new Timings());
    await next();
    const ms = elapsed(c);
    // Responses not built by respond() (e.g. Hono's own helpers, or a response another
    // middleware replaced) get the common headers here; the others are not touched again.
    if (c.res !== c.get('built')) {
      const h = c.res.headers;
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!h.has(k)) h.set(k, v);
      stampCommonHeaders(h, c, ms);
      if (h.get('content-type') === 'application/json') h.set('Content-Type', JSON_TYPE);
    }
    onDone?.(c, ms);
  };
}
