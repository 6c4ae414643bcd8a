// Builds the app from the Worker's env: config, then the real adapters (PlanetScale store,
// Upstash cache and rate-limit backend, metrics), once per isolate and distinct env. The Worker
// entry (index.ts) uses it as it is; the benchmark's uncached twin changes what the cache sees.
import { createApp } from './app.ts';
import { loadConfig, type Env } from './config.ts';
import type { KeyValueCache } from './data/cache.ts';
import { createPlanetScaleStore } from './data/planetscale-store.ts';
import { createUpstashCache, createUpstashRateLimitBackend, createUpstashRedis } from './data/upstash.ts';
import { Metrics } from './http/metrics.ts';
import { RateLimiter } from './http/rate-limit.ts';

export type App = ReturnType<typeof createApp>;

export interface WiringOverrides {
  /** Wraps the Upstash cache the app reads and writes (L2). */
  wrapCache?: (l2: KeyValueCache) => KeyValueCache;
  /** The caches' clock. The live-dataset pointer keeps real time: an isolate reads it once per L1 lifetime whatever its cache sees. */
  now?: () => number;
}

const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));

/** `env` → app, built on first use and again only for another env object. Throws ConfigError. */
export function appForEnv(overrides: WiringOverrides = {}): (env: Env) => App {
  let built: { env: Env; app: App } | undefined;
  return (env) => {
    if (built?.env === env) return built.app;
    const config = loadConfig(env);
    const metrics = new Metrics({ warnMs: config.SLOW_QUERY_WARN_MS, criticalMs: config.SLOW_QUERY_CRITICAL_MS }, log);
    // Two clients: the rate limiter's background syncs never share a timeout or a connection
    // setting with the cache reads on the request path.
    const upstash = (client: 'cache' | 'rate_limit', timeoutMs: number) =>
      createUpstashRedis({
        url: config.UPSTASH_REDIS_REST_URL,
        token: config.UPSTASH_REDIS_REST_TOKEN,
        timeoutMs,
        onCommand: () => metrics.upstashCommand(client),
      });
    const cache = createUpstashCache(upstash('cache', config.CACHE_TIMEOUT_MS));
    const app = createApp({
      apiKeys: config.API_KEYS,
      store: createPlanetScaleStore({
        url: config.DATABASE_URL,
        timeoutMs: config.DB_TIMEOUT_MS,
        onQuery: (sql, ms, failed) => metrics.query(sql, ms, failed),
      }),
      cache: overrides.wrapCache ? overrides.wrapCache(cache) : cache,
      cacheSettings: {
        l1TtlMs: config.CACHE_L1_TTL_MS,
        staleMs: config.CACHE_STALE_MS,
        loadTimeoutMs: config.DB_TIMEOUT_MS,
      },
      metrics,
      rateLimiter: new RateLimiter({
        backend: createUpstashRateLimitBackend(upstash('rate_limit', config.RATE_LIMIT_TIMEOUT_MS)),
        defaultRule: config.RATE_LIMIT_DEFAULT,
        perKey: config.RATE_LIMITS,
        onError: () => metrics.error('rate_limit_backend'),
      }),
      corsOrigins: config.CORS_ORIGINS,
      ...(overrides.now ? { now: overrides.now, pointerNow: Date.now } : {}),
      log,
    });
    built = { env, app };
    return app;
  };
}
