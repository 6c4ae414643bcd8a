// GET /stats/risk and /stats/age: pre-aggregated tables behind the cache (cache-aside, TTL 60 s).
import { Hono, type MiddlewareHandler } from 'hono';
import { CACHE_KEYS, STATS_TTL_SECONDS } from '../data/cache-keys.ts';
import { ageStatsBody, riskStatsBody } from '../data/stats.ts';
import { methodNotAllowed } from '../http/errors.ts';
import { waitUntilOf, type AppContext, type AppEnv } from '../http/hono-env.ts';
import type { Store } from '../data/store.ts';
import type { CachedValue } from '../data/cache.ts';

export type Cached = (
  key: string,
  ttlSeconds: number,
  load: () => Promise<string>,
  waitUntil: (p: Promise<unknown>) => void,
) => Promise<CachedValue>;

function send(c: AppContext, v: CachedValue) {
  c.header('X-Cache', v.source);
  c.header('Content-Type', 'application/json; charset=utf-8');
  return c.body(v.body);
}

export function statsRoutes(auth: MiddlewareHandler, store: Store, cached: Cached) {
  return new Hono<AppEnv>()
    .get('/stats/risk', auth, async (c) => {
      const v = await cached(
        CACHE_KEYS.statsRisk,
        STATS_TTL_SECONDS,
        async () => {
          const [summary, agg] = await Promise.all([store.summary(), store.aggregates()]);
          return JSON.stringify(riskStatsBody(summary, agg));
        },
        waitUntilOf(c),
      );
      return send(c, v);
    })
    .get('/stats/age', auth, async (c) => {
      const v = await cached(
        CACHE_KEYS.statsAge,
        STATS_TTL_SECONDS,
        async () => JSON.stringify(ageStatsBody(await store.aggregates())),
        waitUntilOf(c),
      );
      return send(c, v);
    })
    .all('/stats/risk', () => {
      throw methodNotAllowed('GET');
    })
    .all('/stats/age', () => {
      throw methodNotAllowed('GET');
    });
}
