// Builds the Hono app from its dependencies (createApp(deps)): middleware, routes, and the one
// place where every error becomes the contract's JSON body.
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { HTTPException } from 'hono/http-exception';
import { apiKeyAuth } from './http/auth.ts';
import { ApiError, DependencyError, notFound, serviceUnavailable } from './http/errors.ts';
import { requestContext } from './http/request-context.ts';
import type { AppEnv } from './http/hono-env.ts';
import { createCacheAside } from './data/cache.ts';
import { healthRoutes } from './routes/health.ts';
import { recordsRoutes } from './routes/records.ts';
import { simulateRoutes } from './routes/simulate.ts';
import { statsRoutes } from './routes/stats.ts';
import type { AppDeps } from './deps.ts';

export const ENDPOINTS = [
  'GET /health',
  'GET /records',
  'GET /records/{id}',
  'GET /stats/risk',
  'GET /stats/age',
  'POST /simulate',
] as const;

export function createApp(deps: AppDeps) {
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const auth = apiKeyAuth(deps.apiKeys);
  const cached = createCacheAside({
    cache: deps.cache,
    onCacheError: (err) => log({ level: 'warn', msg: 'cache unavailable', error: (err as Error)?.name }),
  });

  const app = new Hono<AppEnv>();
  app.use(requestContext());
  app.use(secureHeaders({ crossOriginResourcePolicy: false, crossOriginOpenerPolicy: false }));

  app.get('/', (c) => c.json({ name: 'nhis-risk-edge', endpoints: ENDPOINTS, docs: '/docs' }));
  app.route('/', healthRoutes(auth, deps.store, deps.cache));
  app.route('/', simulateRoutes(auth));
  app.route('/', recordsRoutes(auth, deps.store));
  app.route('/', statsRoutes(auth, deps.store, cached));

  app.notFound(() => {
    throw notFound();
  });

  app.onError((err, c) => {
    let e: ApiError;
    if (err instanceof ApiError) e = err;
    else if (err instanceof DependencyError && err.kind !== 'query') {
      log({ level: 'error', msg: 'dependency failed', dependency: err.dependency, kind: err.kind, request_id: c.get('requestId') });
      e = serviceUnavailable(`The ${err.dependency} is unavailable; retry shortly`);
    } else if (err instanceof HTTPException && err.status < 500) {
      e = new ApiError(err.status, 'Bad Request', err.message || 'Bad request');
    } else {
      log({ level: 'error', msg: 'unhandled error', name: (err as Error)?.name, error: String((err as Error)?.message).slice(0, 300), request_id: c.get('requestId') });
      e = new ApiError(500, 'Internal Server Error', 'An unexpected error occurred', { request_id: c.get('requestId') });
    }
    for (const [k, v] of Object.entries(e.headers)) c.header(k, v);
    return c.json({ error: e.error, message: e.message, ...e.extra }, e.status as 400);
  });

  return app;
}
