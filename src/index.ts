// Worker entry: the only file that reads env. Builds config and adapters once per isolate
// (per distinct env) and hands them to createApp.
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Env } from './config.ts';
import { createPlanetScaleStore } from './data/planetscale-store.ts';
import { createUpstashCache, createUpstashRateLimitBackend, createUpstashRedis } from './data/upstash.ts';
import { Metrics } from './http/metrics.ts';
import { RateLimiter } from './http/rate-limit.ts';

type App = ReturnType<typeof createApp>;
let built: { env: Env; app: App } | undefined;

const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));

function appFor(env: Env): App {
  if (built?.env === env) return built.app;
  const config = loadConfig(env);
  const metrics = new Metrics({ warnMs: config.SLOW_QUERY_WARN_MS, criticalMs: config.SLOW_QUERY_CRITICAL_MS }, log);
  const redis = createUpstashRedis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    timeoutMs: config.CACHE_TIMEOUT_MS,
  });
  const app = createApp({
    apiKeys: config.API_KEYS,
    store: createPlanetScaleStore({
      url: config.DATABASE_URL,
      timeoutMs: config.DB_TIMEOUT_MS,
      onQuery: (sql, ms, failed) => metrics.query(sql, ms, failed),
    }),
    cache: createUpstashCache(redis),
    cacheSettings: { l1TtlMs: config.CACHE_L1_TTL_MS, staleMs: config.CACHE_STALE_MS },
    metrics,
    rateLimiter: new RateLimiter({
      backend: createUpstashRateLimitBackend(redis),
      defaultRule: config.RATE_LIMIT_DEFAULT,
      perKey: config.RATE_LIMITS,
      onError: () => metrics.error('rate_limit_backend'),
    }),
    corsOrigins: config.CORS_ORIGINS,
    log,
  });
  built = { env, app };
  return app;
}

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response> {
    let app: App;
    try {
      app = appFor(env);
    } catch (err) {
      // Misconfiguration is the operator's to fix; say what, never echo a secret.
      const message = err instanceof ConfigError ? err.message : 'Worker failed to start';
      console.error(message);
      return Response.json({ error: 'Service Unavailable', message: 'The service is misconfigured', request_id: crypto.randomUUID() }, {
        status: 503,
        headers: { 'Retry-After': '30' },
      });
    }
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
