// Per-request id, total time and the Server-Timing entries of the data path.
import type { Context, MiddlewareHandler } from 'hono';

/** Accumulates dependency timings for the Server-Timing header (db, cache). */
export class Timings {
  private readonly entries: string[] = [];
  add(name: string, ms: number, desc?: string): void {
    this.entries.push(`${name};dur=${ms.toFixed(1)}${desc ? `;desc="${desc}"` : ''}`);
  }
  header(totalMs: number): string {
    return [...this.entries, `total;dur=${totalMs.toFixed(1)}`].join(', ');
  }
}

export interface RequestVars {
  requestId: string;
  timings: Timings;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `onDone` sees every request once its response is final (metrics). */
export function requestContext(onDone?: (c: Context, totalMs: number) => void): MiddlewareHandler<{ Variables: RequestVars }> {
  return async function requestContext(c, next) {
    const start = Date.now();
    const t0 = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID();
    const timings = new Timings();
    c.set('requestId', requestId);
    c.set('timings', timings);
    await next();
    // In Workers performance.now() only advances across I/O, so wall time is the honest total.
    const total = Math.max(Date.now() - start, performance.now() - t0);
    // API.md: every JSON response says its charset (Hono's c.json sends bare application/json).
    if (c.res.headers.get('content-type') === 'application/json') c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('X-Request-ID', requestId);
    c.header('X-Response-Time', `${Math.round(total)}ms`);
    c.header('Server-Timing', timings.header(total));
    onDone?.(c, total);
  };
}
