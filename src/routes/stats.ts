// GET /stats/risk and /stats/age: pre-aggregated tables behind the cache (cache-aside, TTL 60 s).
import { Hono, type MiddlewareHandler } from 'hono';
import { CACHE_KEYS, STATS_POLICY } from '../data/cache-keys.ts';
import { ageStatsBody, riskStatsBody } from '../data/stats.ts';
import { methodNotAllowed } from '../http/errors.ts';
import { JSON_TYPE, respond } from '../http/request-context.ts';
import { cacheRequest, timed, type AppContext, type AppEnv } from '../http/hono-env.ts';
import type { Store } from '../data/store.ts';
import type { Cached, CachedValue } from '../data/cache.ts';

function send(c: AppContext, v: CachedValue) {
  return respond(c, v.bytes ?? v.body, 200, JSON_TYPE, { 'X-Cache': v.source });
}

export function statsRoutes(auth: MiddlewareHandler, store: Store, cached: Cached) {
  const risk = async (c: AppContext) =>
    send(
      c,
      await cached(
        CACHE_KEYS.statsRisk,
        STATS_POLICY,
        async () => {
          const [summary, agg] = await timed(c, 'db', () => Promise.all([store.summary(), store.aggregates()]));
          return JSON.stringify(riskStatsBody(summary, agg));
        },
        cacheRequest(c),
      ),
    );
  const age = async (c: AppContext) =>
    send(
      c,
      await cached(
        CACHE_KEYS.statsAge,
        STATS_POLICY,
        async () => JSON.stringify(ageStatsBody(await timed(c, 'db', () => store.aggregates()))),
        cacheRequest(c),
      ),
    );
  // A fresh copy in L1 answers at once: no loader, no cache hooks, no promise per request.
  return new Hono<AppEnv>()
    .get('/stats/risk', auth, (c) => {
      const hit = cached.fresh(CACHE_KEYS.statsRisk, STATS_POLICY);
      return hit ? send(c, hit) : risk(c);
    })
    .get('/stats/age', auth, (c) => {
      const hit = cached.fresh(CACHE_KEYS.statsAge, STATS_POLICY);
      return hit ? send(c, hit) : age(c);
    })
    .all('/stats/risk', () => {
      throw methodNotAllowed('GET');
    })
    .all('/stats/age', () => {
      throw methodNotAllowed('GET');
    });
}
