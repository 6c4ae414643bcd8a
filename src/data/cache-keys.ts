import { allFilterKeys } from './page-index.ts';

// Every cache key and TTL of the API, in one place. Values are the JSON bodies the routes send,
// stored in Upstash (L2) as `<loaded-at ms>\n<body>` (see data/cache.ts).
//
// | key          | value                  | fresh  | L1 (isolate) | served stale up to | written by            |
// |--------------|------------------------|--------|--------------|--------------------|-----------------------|
// | stats:risk   | GET /stats/risk body   | 60 s   | 3 s          | +300 s             | the Worker, on a miss |
// | stats:age    | GET /stats/age body    | 60 s   | 3 s          | +300 s             | the Worker, on a miss |
// | records:count:<filter> | total of a /records filter | 60 s | 3 s | +300 s         | the Worker, on a miss |
// Stale copies are served while one background load refreshes them (stale-while-revalidate),
// or when the database fails (stale-if-error). The ETL deletes the stats keys after every load
// and re-warms them through the API. L1 and stale windows: CACHE_L1_TTL_MS, CACHE_STALE_MS.

export const CACHE_KEYS = {
  statsRisk: 'stats:risk',
  statsAge: 'stats:age',
} as const;

export const STATS_CACHE_KEYS = [CACHE_KEYS.statsRisk, CACHE_KEYS.statsAge] as const;

/** Freshness of the stats bodies, seconds (the replaced service's TTL). */
export const STATS_TTL_SECONDS = 60;
export const STATS_POLICY = { ttlSeconds: STATS_TTL_SECONDS } as const;

/** Totals of /records per filter (so a page costs no COUNT). */
export const recordsCountKey = (filterKey: string) => `records:count:${filterKey}`;
export const RECORDS_COUNT_POLICY = { ttlSeconds: 60 } as const;

/** Every key that depends on the dataset: the ETL deletes them all after a load. */
export const DATASET_CACHE_KEYS: readonly string[] = [...STATS_CACHE_KEYS, ...allFilterKeys().map(recordsCountKey)];
