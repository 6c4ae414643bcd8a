// Every cache key and TTL of the API, in one place. Values are the JSON bodies the routes send,
// stored in Upstash (L2) as `<loaded-at ms>\n<body>` (see data/cache.ts).
//
// | key                          | value                      | fresh | L1 (isolate) | served stale up to | written by            |
// |------------------------------|----------------------------|-------|--------------|--------------------|-----------------------|
// | stats:risk:d<id>             | GET /stats/risk body       | 60 s  | 3 s          | +300 s             | the Worker, on a miss |
// | stats:age:d<id>              | GET /stats/age body        | 60 s  | 3 s          | +300 s             | the Worker, on a miss |
// | records:count:d<id>:<filter> | total of a /records filter | 60 s  | 3 s          | +300 s             | the Worker, on a miss |
// <id> is the dataset the pointer row names (data/live-dataset.ts). A complete dataset never
// changes, so every copy of a key, stale or not, is right for its dataset and nothing deletes
// keys: after a flip the API asks for the new id's keys and the old ones expire (or serve again
// after a rollback). Stale copies are served while one background load refreshes them
// (stale-while-revalidate), or when the database fails (stale-if-error). L1 and stale windows:
// CACHE_L1_TTL_MS, CACHE_STALE_MS.

export const statsRiskKey = (dataset: number) => `stats:risk:d${dataset}`;
export const statsAgeKey = (dataset: number) => `stats:age:d${dataset}`;
export const statsCacheKeys = (dataset: number) => [statsRiskKey(dataset), statsAgeKey(dataset)] as const;

/** Freshness of the stats bodies, seconds (the replaced service's TTL). */
export const STATS_TTL_SECONDS = 60;
export const STATS_POLICY = { ttlSeconds: STATS_TTL_SECONDS } as const;

/** Totals of /records per filter (so a page costs no COUNT). */
export const recordsCountKey = (dataset: number, filterKey: string) => `records:count:d${dataset}:${filterKey}`;
export const RECORDS_COUNT_POLICY = { ttlSeconds: 60 } as const;
