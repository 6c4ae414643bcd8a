// GET /stats/risk and /stats/age: pre-aggregated tables of the live dataset behind the cache
// (cache-aside, TTL 60 s, keys per dataset tag).
import { Hono } from 'hono';
import { STATS_POLICY, statsAgeKey, statsRiskKey } from '../data/cache-keys.ts';
import { ageStatsBody, riskStatsBody } from '../data/stats.ts';
import type { RouteKit } from '../http/request-context.ts';
import { JSON_TYPE, respond } from '../http/respond.ts';
import { cacheRequest, freshDataset, liveDataset, timed } from '../http/data-calls.ts';
import type { AppContext, AppEnv } from '../http/hono-env.ts';
import type { Store } from '../data/store.ts';
import type { Cached, CachedValue } from '../data/cache.ts';
import type { LiveDatasetHolder } from '../data/live-dataset.ts';

function send(c: AppContext, v: CachedValue) {
  return respond(c, v.bytes ?? v.body, 200, JSON_TYPE, { 'X-Cache': v.source });
}

/** Before the first load there is no dataset: zero counts, from no table and no cache. */
const EMPTY = {
  risk: { body: JSON.stringify(riskStatsBody({ total: 0, valid: 0, invalid: 0 }, [])), source: 'MISS' },
  age: { body: JSON.stringify(ageStatsBody([])), source: 'MISS' },
} as const satisfies Record<string, CachedValue>;

export function statsRoutes(kit: RouteKit, store: Store, cached: Cached, live: LiveDatasetHolder) {
  // The keys of the dataset served last: built once per dataset, not per request.
  let keys = { tag: '', risk: '', age: '' };
  const keysOf = (tag: string) =>
    keys.tag === tag ? keys : (keys = { tag, risk: statsRiskKey(tag), age: statsAgeKey(tag) });

  type Which = keyof typeof EMPTY;
  /** Each body from the live dataset's tables, on a miss. */
  const bodies: Record<Which, (c: AppContext, id: number) => Promise<string>> = {
    risk: async (c, id) => {
      const [summary, agg] = await timed(c, 'db', () => Promise.all([store.summary(id), store.aggregates(id)]));
      return JSON.stringify(riskStatsBody(summary, agg));
    },
    age: async (c, id) => JSON.stringify(ageStatsBody(await timed(c, 'db', () => store.aggregates(id)))),
  };
  const load = async (c: AppContext, which: Which) => {
    const { id, tag } = await liveDataset(c, live);
    if (id === null) return send(c, EMPTY[which]);
    return send(c, await cached(keysOf(tag)[which], STATS_POLICY, () => bodies[which](c, id), cacheRequest(c)));
  };
  // A fresh pointer and a fresh copy in L1 answer at once: no loader, no cache hooks, no promise per request.
  const route = (which: Which) =>
    kit.keyed((c) => {
      const tag = freshDataset(c, live)?.tag;
      const hit = tag != null ? cached.peekL1(keysOf(tag)[which], STATS_POLICY) : undefined;
      return hit ? send(c, hit) : load(c, which);
    });
  return new Hono<AppEnv>().get('/stats/risk', route('risk')).get('/stats/age', route('age'));
}
