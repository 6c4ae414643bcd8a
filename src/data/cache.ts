// The cache the routes use: a small key/value interface plus cache-aside with single-flight.
// A cache that fails or is slow never fails a request: reads fall through to the loader.

export interface KeyValueCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(keys: readonly string[]): Promise<void>;
  ping(): Promise<void>;
}

export type CacheSource = 'HIT-L2' | 'MISS';

export interface CachedValue {
  body: string;
  source: CacheSource;
}

export interface CacheAsideOptions {
  cache: KeyValueCache;
  onCacheError?: (err: unknown) => void;
}

/** Per-request hooks: where background work goes, and where cache time is reported. */
export interface CacheRequest {
  /** Background work (the cache write) goes here, never fire-and-forget. */
  waitUntil: (p: Promise<unknown>) => void;
  onCacheTime?: (ms: number) => void;
}

export type Cached = (key: string, ttlSeconds: number, load: () => Promise<string>, req: CacheRequest) => Promise<CachedValue>;

/** Cache-aside over `cache`, with one loader call per key at a time (single-flight). */
export function createCacheAside(opts: CacheAsideOptions): Cached {
  const inflight = new Map<string, Promise<string>>();

  async function readCache(key: string, req: CacheRequest): Promise<string | null> {
    const t0 = Date.now();
    try {
      return await opts.cache.get(key);
    } catch (err) {
      opts.onCacheError?.(err);
      return null;
    } finally {
      req.onCacheTime?.(Date.now() - t0);
    }
  }

  return async function cached(key, ttlSeconds, load, req) {
    const hit = await readCache(key, req);
    if (hit !== null) return { body: hit, source: 'HIT-L2' };
    let pending = inflight.get(key);
    if (!pending) {
      pending = load().finally(() => inflight.delete(key));
      inflight.set(key, pending);
      const body = await pending;
      req.waitUntil(opts.cache.set(key, body, ttlSeconds).catch((err) => opts.onCacheError?.(err)));
      return { body, source: 'MISS' };
    }
    return { body: await pending, source: 'MISS' };
  };
}
