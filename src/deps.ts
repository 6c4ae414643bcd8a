// What the app is built from: configuration and adapters. index.ts builds the real ones from
// env; tests hand in the real local stack or small fakes.
import type { KeyValueCache } from './data/cache.ts';
import type { Store } from './data/store.ts';
import type { Metrics } from './http/metrics.ts';
import type { RateLimiter } from './http/rate-limit.ts';

export interface CacheSettings {
  /** In-isolate (L1) freshness, ms, and the lifetime of an isolate's reading of the live-dataset pointer. */
  l1TtlMs: number;
  /** How long past freshness a copy may be served (revalidating, or when the database fails), ms. */
  staleMs: number;
  /** L1 bound, entries. */
  l1MaxEntries: number;
  /**
   * How long a request waits on another request's load of the same key before loading itself, ms:
   * the database timeout, since no load can take longer unless it was lost.
   */
  loadTimeoutMs: number;
}

/** The cache's defaults: the one place they are set (config.ts reads its CACHE_* defaults here). */
export const DEFAULT_CACHE_SETTINGS: CacheSettings = {
  l1TtlMs: 3000,
  staleMs: 300_000,
  l1MaxEntries: 256,
  loadTimeoutMs: 3000,
};

export interface AppDeps {
  apiKeys: readonly string[];
  store: Store;
  cache: KeyValueCache;
  cacheSettings?: Partial<CacheSettings>;
  metrics?: Metrics;
  rateLimiter?: RateLimiter;
  /** Allowed CORS origins; empty (the default) sends no CORS headers. */
  corsOrigins?: readonly string[];
  /** Clock for the caches (tests). */
  now?: () => number;
  /** Clock for the live-dataset pointer (data/live-dataset.ts); default `now`. */
  pointerNow?: () => number;
  /** Optional hook for logs (never receives secrets). */
  log?: (entry: Record<string, unknown>) => void;
}
