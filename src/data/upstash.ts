// Upstash Redis over its REST API: the stats cache (KeyValueCache) and the global side of the
// rate limiter (@upstash/ratelimit), each on its own client. The only file that imports
// @upstash/redis.
//
// A global Upstash database takes writes in its primary region and serves reads from the
// nearest replica. With read-your-writes on (the SDK's default), a client sends back the sync
// token of its last request, and the replica holds the next read until it has caught up with
// that write: a cache read behind a cache write (or a rate-limit sync) would wait on the far
// primary's replication. Neither client needs it: a cached body is the same whichever copy
// answers, and the rate-limit scripts run on the primary anyway.
import { Redis } from '@upstash/redis/cloudflare';
import { Ratelimit } from '@upstash/ratelimit';
import type { KeyValueCache } from './cache.ts';

export interface UpstashOptions {
  url: string;
  token: string;
  /** Bound on every call, ms: a slow cache degrades to a miss, a slow rate-limit sync to the local count. */
  timeoutMs: number;
  /** Called once per HTTP request the client makes: one billed command each (no pipelining here). */
  onCommand?: () => void;
}

export function createUpstashRedis(opts: UpstashOptions): Redis {
  const redis = new Redis({
    url: opts.url,
    token: opts.token,
    // No sync token: reads never wait for a replica to catch up with a write (see above).
    readYourWrites: false,
    // Values are JSON bodies we send as they are: no parse/stringify round trip.
    automaticDeserialization: false,
    enableTelemetry: false,
    // One command per request; batching would put one slow read behind another.
    enableAutoPipelining: false,
    // The SDK retries only when fetch throws (redis-js pkg/http.ts); a bounded call must not retry.
    retry: false,
    // A function signal makes the SDK throw on abort instead of returning a fake result (pkg/http.ts).
    signal: () => AbortSignal.timeout(opts.timeoutMs),
  });
  const onCommand = opts.onCommand;
  if (onCommand) {
    redis.use((req, next) => {
      onCommand();
      return next(req);
    });
  }
  return redis;
}

export function createUpstashCache(redis: Redis): KeyValueCache {
  return {
    async get(key) {
      const v = await redis.get<string>(key);
      return v ?? null;
    },
    async set(key, value, ttlSeconds) {
      await redis.set(key, value, { ex: ttlSeconds });
    },
    async del(keys) {
      if (keys.length) await redis.del(...keys);
    },
    async ping() {
      await redis.ping();
    },
  };
}

/** A window: `limit` hits per `windowMs` (http/rate-limit.ts's RateRule, which this side does not import). */
interface WindowRule {
  limit: number;
  windowMs: number;
}

/**
 * The global sliding window per key, in Upstash; called in the background only. Shaped as
 * http/rate-limit.ts's RateLimitBackend, which wiring.ts hands it to.
 */
export function createUpstashRateLimitBackend(redis: Redis): {
  hit(id: string, hits: number, rule: WindowRule): Promise<{ remaining: number; resetAt: number }>;
} {
  const limiters = new Map<string, Ratelimit>();
  return {
    async hit(id: string, hits: number, rule: WindowRule) {
      const k = `${rule.limit}/${rule.windowMs}`;
      let rl = limiters.get(k);
      if (!rl) {
        rl = new Ratelimit({
          redis,
          limiter: Ratelimit.slidingWindow(rule.limit, `${rule.windowMs} ms`),
          prefix: 'ratelimit',
          ephemeralCache: false, // the local count in http/rate-limit.ts plays this part
          analytics: false,
          timeout: 0,
        });
        limiters.set(k, rl);
      }
      const r = await rl.limit(id, { rate: hits });
      return { remaining: r.remaining, resetAt: r.reset };
    },
  };
}
