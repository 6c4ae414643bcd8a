// Bench-only Worker entry for the "uncached" figures: the production app (createApp with the real
// PlanetScale store and Upstash cache, wired as src/index.ts wires them) whose cache clock jumps
// two days at every reading, so every copy stored before a lookup (L1, L2, stale) is expired and
// each request takes the miss path: L2 read, single-flight database load, L2 write in waitUntil.
// Its L2 reads still go to Upstash, but what they return is stamped as loaded at time 0, so a copy
// written by a concurrent load is not taken as fresh either. (Its Server-Timing "cache" figure is
// meaningless: it spans a jump.)
import { createApp } from '../../src/app.ts';
import { decodeL2, encodeL2, type KeyValueCache } from '../../src/data/cache.ts';
import { loadConfig, type Env } from '../../src/config.ts';
import { createPlanetScaleStore } from '../../src/data/planetscale-store.ts';
import { createUpstashCache, createUpstashRateLimitBackend, createUpstashRedis } from '../../src/data/upstash.ts';
import { Metrics } from '../../src/http/metrics.ts';
import { RateLimiter } from '../../src/http/rate-limit.ts';

type App = ReturnType<typeof createApp>;
type Ctx = Parameters<App['fetch']>[2];

/** Longer than any fresh + stale window (60 s + CACHE_STALE_MS, at most a day by config). */
const JUMP_MS = 2 * 86_400_000;
let skew = 0;
// Every reading is later than every earlier one by a jump, so whatever was stored before a lookup
// (even by a request still in flight) is expired when that lookup reads the clock.
const now = () => Date.now() + (skew += JUMP_MS);
let built: { env: Env; app: App } | undefined;

/** The real L2 round trip, its answer re-stamped as loaded at time 0 (expired past any stale window). */
function expiredOnRead(l2: KeyValueCache): KeyValueCache {
  return {
    ...l2,
    async get(key) {
      const raw = await l2.get(key);
      const entry = raw === null ? null : decodeL2(raw);
      return entry ? encodeL2({ body: entry.body, storedAt: 0 }) : raw;
    },
  };
}

function appFor(env: Env): App {
  if (built?.env === env) return built.app;
  const config = loadConfig(env);
  const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));
  const metrics = new Metrics({ warnMs: config.SLOW_QUERY_WARN_MS, criticalMs: config.SLOW_QUERY_CRITICAL_MS }, log);
  const redis = createUpstashRedis({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN, timeoutMs: config.CACHE_TIMEOUT_MS });
  const app = createApp({
    apiKeys: config.API_KEYS,
    store: createPlanetScaleStore({ url: config.DATABASE_URL, timeoutMs: config.DB_TIMEOUT_MS, onQuery: (sql, ms, failed) => metrics.query(sql, ms, failed) }),
    cache: expiredOnRead(createUpstashCache(redis)),
    cacheSettings: { l1TtlMs: config.CACHE_L1_TTL_MS, staleMs: config.CACHE_STALE_MS },
    metrics,
    rateLimiter: new RateLimiter({
      backend: createUpstashRateLimitBackend(redis),
      defaultRule: config.RATE_LIMIT_DEFAULT,
      perKey: config.RATE_LIMITS,
      onError: () => metrics.error('rate_limit_backend'),
    }),
    corsOrigins: config.CORS_ORIGINS,
    now,
    log,
  });
  built = { env, app };
  return app;
}

export default {
  fetch(request: Request, env: Env, ctx: Ctx): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx);
  },
};
