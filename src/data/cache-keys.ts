// Every cache key and TTL of the API, in one place. Values are the JSON bodies the routes send.
//
// | key          | value                  | Upstash TTL | written by                 |
// |--------------|------------------------|-------------|----------------------------|
// | stats:risk   | GET /stats/risk body   | 60 s        | the Worker, on a miss      |
// | stats:age    | GET /stats/age body    | 60 s        | the Worker, on a miss      |
// The ETL deletes both after every successful load (and re-warms them through the API).

export const CACHE_KEYS = {
  statsRisk: 'stats:risk',
  statsAge: 'stats:age',
} as const;

export const STATS_CACHE_KEYS = [CACHE_KEYS.statsRisk, CACHE_KEYS.statsAge] as const;

/** Upstash (L2) time to live for the stats bodies, seconds. */
export const STATS_TTL_SECONDS = 60;
