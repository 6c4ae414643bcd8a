// The per-request context, and the one handler each route is. Hono calls a path's handler
// directly, with no middleware chain and no promise of its own, when the path has exactly one
// handler; so a route is one function (route()): it sets the request context (an id, the caller's
// X-Request-ID when well-formed, the start time, the dependency timings), runs the route's guard
// (the key check and the rate limit), then the route's work; after it come the common headers for
// any response respond() did not build, and the request's figures for the metrics. Errors and
// unknown paths end in the app's error and not-found handlers, which call finish() themselves.
// Under workerd the middleware chain cost the GET floor 1,350 of the 3,830 bytes it allocated per
// response (`npm run bench -- --only pauses --runtime workerd`), and instructions besides.
import type { Context, Handler } from 'hono';
import type { AppContext, AppEnv, RequestVars } from './hono-env.ts';
import { elapsed, JSON_TYPE, SECURITY_HEADERS, stampCommonHeaders } from './respond.ts';
import { Timings } from './timings.ts';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Refuses a request by throwing (an ApiError); returns when the request may go on. */
export type Guard = (c: AppContext) => void;
/** What a route does once its guard let the request through. */
export type Work = (c: AppContext) => Response | Promise<Response>;
/** Sees every request once its response is final (metrics); `route` when no route of the app matched it. */
export type OnDone = (c: Context<{ Variables: RequestVars }>, res: Response, totalMs: number, route?: string) => void;

/** Sets the request context, once: a middleware in front of the routes (CORS) may have set it already. */
export function begin(c: Context<{ Variables: RequestVars }>): void {
  if (c.get('requestId') !== undefined) return;
  const incoming = c.req.header('x-request-id');
  c.set('startedAt', Date.now());
  c.set('requestId', incoming && SAFE_ID.test(incoming) ? incoming : crypto.randomUUID());
  c.set('timings', new Timings());
}

/** The response made final: the common headers where respond() did not build it, then `onDone`. */
export function finish(
  c: Context<{ Variables: RequestVars }>,
  res: Response,
  onDone?: OnDone,
  route?: string,
): Response {
  const ms = elapsed(c);
  // Responses not built by respond() (e.g. Hono's own helpers, or a response another
  // middleware replaced) get the common headers here; the others are not touched again.
  if (res !== c.get('built')) {
    const h = res.headers;
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!h.has(k)) h.set(k, v);
    stampCommonHeaders(h, c, ms);
    if (h.get('content-type') === 'application/json') h.set('Content-Type', JSON_TYPE);
  }
  onDone?.(c, res, ms, route);
  return res;
}

/** Routes: `open` for anyone, `keyed` behind `guard`; each the single handler of its path. */
export interface RouteKit {
  open(work: Work): Handler<AppEnv>;
  keyed(work: Work): Handler<AppEnv>;
  /** The key check (and rate limit) that `keyed` runs: for a route that needs a key only sometimes. */
  guard: Guard;
}

export function routeKit(guard: Guard, onDone?: OnDone): RouteKit {
  const route =
    (work: Work, check?: Guard): Handler<AppEnv> =>
    (c) => {
      begin(c);
      check?.(c);
      const res = work(c);
      return res instanceof Promise ? res.then((r) => finish(c, r, onDone)) : finish(c, res, onDone);
    };
  return { open: (work) => route(work), keyed: (work) => route(work, guard), guard };
}
