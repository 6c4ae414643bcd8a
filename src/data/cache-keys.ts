// Every cache key and TTL of the API, in one place. Values are the JSON bodies the routes send,
// stored in Upstash (L2) as `<loaded-at ms>\n<body>` (see data/cache.ts).
//
// | key                           | value                      | fresh | L1 (isolate) | served stale up to | written by            |
// |-------------------------------|----------------------------|-------|--------------|--------------------|-----------------------|
// | stats:risk:d<tag>             | GET /stats/risk body       | 60 s  | 3 s          | +300 s             | the Worker, on a miss |
// | stats:age:d<tag>              | GET /stats/age body        | 60 s  | 3 s          | +300 s             | the Worker, on a miss |
// | records:count:d<tag>:<filter> | total of a /records filter | 60 s  | 3 s          | +300 s             | the Worker, on a miss |
// <tag> names the dataset the pointer row names (data/live-dataset.ts): its id and its creation
// time (`7-mk2q1x8c`), so a database made anew, whose ids start again at 1, never meets an old
// dataset's copies in a shared Upstash. A complete dataset never changes, so every copy of a key,
// stale or not, is right for its dataset and nothing deletes keys: after a flip the API asks for
// the new dataset's keys and the old ones expire (or serve again after a rollback). Stale copies
// are served while one background load refreshes them (stale-while-revalidate), or when the
// database fails (stale-if-error). L1 and stale windows: CACHE_L1_TTL_MS, CACHE_STALE_MS.

export const statsRiskKey = (tag: string) => `stats:risk:d${tag}`;
export const statsAgeKey = (tag: string) => `stats:age:d${tag}`;
export const statsCacheKeys = (tag: string) => [statsRiskKey(tag), statsAgeKey(tag)] as const;

/** Freshness of the stats bodies, seconds (the replaced service's TTL). */
export const STATS_TTL_SECONDS = 60;
export const STATS_POLICY = { ttlSeconds: STATS_TTL_SECONDS } as const;

/** Totals of /records per filter (so a page costs no COUNT). */
export const recordsCountKey = (tag: string, filterKey: string) => `records:count:d${tag}:${filterKey}`;
export const RECORDS_COUNT_POLICY = { ttlSeconds: 60 } as const;
