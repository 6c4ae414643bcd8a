// Builds the Hono app from its dependencies (createApp(deps)): middleware, routes, and the one
// place where every error becomes the contract's JSON body.
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import { apiKeyAuth } from './http/auth.ts';
import { DependencyError } from './data/dependency-error.ts';
import { ApiError, methodNotAllowed, notFound, serviceUnavailable } from './http/errors.ts';
import { begin, finish, routeKit, type Guard, type OnDone } from './http/request-context.ts';
import { allowedMethods } from './http/allowed-methods.ts';
import { json, respond } from './http/respond.ts';
import { Metrics } from './http/metrics.ts';
import { rateLimit } from './http/rate-limit.ts';
import type { AppContext, AppEnv } from './http/hono-env.ts';
import { createTieredCache } from './data/cache.ts';
import { createLiveDataset } from './data/live-dataset.ts';
import { healthRoutes } from './routes/health.ts';
import { recordsRoutes } from './routes/records.ts';
import { simulateRoutes } from './routes/simulate.ts';
import { simulateBatchRoutes } from './routes/simulate-batch.ts';
import { statsRoutes } from './routes/stats.ts';
import { demoRoutes } from './routes/demo.ts';
import { docsRoutes } from './routes/docs.ts';
import { DEFAULT_CACHE_SETTINGS, type AppDeps } from './deps.ts';

export const ENDPOINTS = [
  'GET /health',
  'GET /records',
  'GET /records/{id}',
  'GET /stats/risk',
  'GET /stats/age',
  'POST /simulate',
  'POST /simulate/batch',
  'GET /metrics',
] as const;

export function createApp(deps: AppDeps) {
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const metrics = deps.metrics ?? new Metrics(undefined, log);
  const checkKey = apiKeyAuth(deps.apiKeys);
  const limit = deps.rateLimiter ? rateLimit(deps.rateLimiter) : undefined;
  // Key first, then the caller's rate limit: unknown callers never reach the limiter.
  const guard: Guard = limit
    ? (c) => {
        checkKey(c);
        limit(c);
      }
    : checkKey;
  const onDone: OnDone = (c, res, ms, unmatched) => {
    const route = unmatched ?? routePath(c); // builds the list of matched routes: once per request
    metrics.request(route === '' || route === '/*' ? 'unmatched' : route, c.req.method, res.status, ms);
  };
  const kit = routeKit(guard, onDone);
  const cacheSettings = { ...DEFAULT_CACHE_SETTINGS, ...deps.cacheSettings };
  const cached = createTieredCache({
    ...cacheSettings,
    l2: deps.cache,
    now: deps.now,
    onCacheError: (err) => {
      // The cache reports its own failures and those of background refreshes (a database error).
      const refresh = err instanceof DependencyError;
      metrics.error(refresh ? 'background_refresh' : 'cache');
      log({
        level: 'warn',
        msg: refresh ? 'background refresh failed' : 'cache unavailable',
        error: (err as Error)?.name,
      });
    },
    onResult: (key, source) => metrics.cacheResult(key, source),
  });
  // The live dataset's id, read by each isolate at most once per L1 lifetime: a switch (a load or
  // a rollback) reaches every isolate within CACHE_L1_TTL_MS.
  const live = createLiveDataset({
    read: () => deps.store.liveDataset(),
    ttlMs: cacheSettings.l1TtlMs,
    maxWaitMs: cacheSettings.loadTimeoutMs,
    now: deps.pointerNow ?? deps.now,
    onStale: (err) => {
      metrics.error('live_dataset_stale');
      log({
        level: 'warn',
        msg: 'dataset pointer unreadable; serving the last known dataset',
        error: (err as Error)?.name,
      });
    },
    onChange: (next, previous) =>
      log({
        level: 'info',
        msg: 'live dataset changed',
        dataset: next.id,
        tag: next.tag,
        generation: next.generation,
        previous_dataset: previous.id,
      }),
  });

  const app = new Hono<AppEnv>();
  if (deps.corsOrigins?.length) {
    const origins = [...deps.corsOrigins];
    const corsHeaders = cors({
      origin: origins.includes('*') ? '*' : origins,
      allowHeaders: ['X-API-KEY', 'Content-Type', 'X-Request-ID'],
      exposeHeaders: [
        'X-Request-ID',
        'X-Response-Time',
        'X-Cache',
        'Server-Timing',
        'Retry-After',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
      ],
      maxAge: 600,
    });
    // A middleware in front of every route (so no route takes Hono's single-handler path while CORS
    // is on): a preflight is answered here, and gets the request context and metrics too.
    app.use(async (c, next) => {
      begin(c);
      const preflight = await corsHeaders(c, next);
      return preflight ? finish(c, preflight, onDone) : undefined;
    });
  }

  app.get(
    '/',
    kit.open((c) => json(c, { name: 'nhis-risk-edge', endpoints: ENDPOINTS, docs: '/docs' })),
  );
  app.route('/', healthRoutes(kit, deps.store, deps.cache));
  app.route('/', simulateRoutes(kit));
  app.route('/', simulateBatchRoutes(kit));
  app.route('/', recordsRoutes(kit, deps.store, cached, live));
  app.route('/', statsRoutes(kit, deps.store, cached, live));
  app.route('/', demoRoutes(kit));
  app.route('/', docsRoutes(kit));
  app.get(
    '/metrics',
    kit.keyed((c) => respond(c, metrics.render(), 200, 'text/plain; version=0.0.4; charset=utf-8')),
  );

  // A path no route takes with this method: 405 with the methods its routes take, else 404.
  // Answered here, not thrown: Hono calls the not-found handler outside its error boundary.
  const allowed = allowedMethods(app.routes);
  app.notFound((c) => {
    begin(c);
    const known = allowed(c.req.path);
    const res = toResponse(known ? methodNotAllowed(known.allow) : notFound(), c);
    return finish(c, res, onDone, known?.route ?? 'unmatched');
  });
  app.onError((err, c) => {
    begin(c);
    return finish(c, toResponse(err, c), onDone);
  });

  function toResponse(err: unknown, c: AppContext): Response {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err instanceof DependencyError && err.kind !== 'query') {
      metrics.error(
        err.code ? `${err.dependency}_${err.kind}_${err.code.toLowerCase()}` : `${err.dependency}_${err.kind}`,
      );
      log({
        level: 'error',
        msg: 'dependency failed',
        dependency: err.dependency,
        kind: err.kind,
        code: err.code,
        request_id: c.get('requestId'),
      });
      e = serviceUnavailable(`The ${err.dependency} is unavailable; retry shortly`);
    } else if (err instanceof HTTPException && err.status < 500) {
      e = new ApiError(err.status, 'Bad Request', err.message || 'Bad request');
    } else {
      metrics.error('internal');
      log({
        level: 'error',
        msg: 'unhandled error',
        name: (err as Error)?.name,
        error: String((err as Error)?.message).slice(0, 300),
        request_id: c.get('requestId'),
      });
      e = new ApiError(500, 'Internal Server Error', 'An unexpected error occurred', {
        request_id: c.get('requestId'),
      });
    }
    return json(c, { error: e.error, message: e.message, ...e.extra }, e.status, e.headers);
  }

  return app;
}
