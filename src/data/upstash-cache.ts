// KeyValueCache over the Upstash Redis REST API (@upstash/redis). The only file that imports it.
import { Redis } from '@upstash/redis/cloudflare';
import type { KeyValueCache } from './cache.ts';

export interface UpstashCacheOptions {
  url: string;
  token: string;
  /** Bound on every cache call, ms: a slow cache degrades to a miss, never a hang. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function createUpstashCache(opts: UpstashCacheOptions): KeyValueCache {
  const redis = new Redis({
    url: opts.url,
    token: opts.token,
    // Values are JSON bodies we send as they are: no parse/stringify round trip.
    automaticDeserialization: false,
    enableTelemetry: false,
    // One command per request; batching would put one slow read behind another.
    enableAutoPipelining: false,
    // The SDK retries only when fetch throws (redis-js pkg/http.ts); a bounded call must not retry.
    retry: false,
    signal: () => AbortSignal.timeout(opts.timeoutMs),
  });
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
