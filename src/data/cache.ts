// The two-tier cache the routes use: a bounded in-isolate tier (L1) with a short TTL in front of
// Upstash (L2). Single-flight per key, stale-while-revalidate through waitUntil, and
// stale-if-error. A cache that fails or is slow never fails a request.

export interface KeyValueCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(keys: readonly string[]): Promise<void>;
  ping(): Promise<void>;
}

/** Which tier answered, for the X-Cache header. */
export type CacheSource = 'HIT-L1' | 'HIT-L2' | 'MISS' | 'STALE';

export interface CachedValue {
  body: string;
  /**
   * The body as UTF-8, when the answering tier keeps it encoded (L1). A Response built from
   * bytes skips the runtime's encoding of the string, which workerd otherwise does on every
   * response (compare builds with `npm run bench -- --only instructions --runtime workerd`).
   */
  bytes?: Uint8Array;
  source: CacheSource;
}

/** Per-request hooks: where background work goes, and where cache time is reported. */
export interface CacheRequest {
  /** Background work (cache writes, revalidation) goes here, never fire-and-forget. */
  waitUntil: (p: Promise<unknown>) => void;
  onCacheTime?: (ms: number) => void;
}

export interface TtlPolicy {
  /** Fresh in L2 (Upstash) for this long, seconds. */
  ttlSeconds: number;
}

export interface Cached {
  (key: string, policy: TtlPolicy, load: () => Promise<string>, req: CacheRequest): Promise<CachedValue>;
  /**
   * The answer L1 would give now, without waiting: the hot path of a route whose body is in L1
   * needs no loader, no hooks and no promise. Undefined when L1 has no fresh copy (then call the
   * cache itself). Counted like any other L1 hit.
   */
  peekL1(key: string, policy: TtlPolicy): CachedValue | undefined;
}

export interface TieredCacheOptions {
  l2: KeyValueCache;
  /** L1 freshness, ms: how long an isolate answers from its own copy without asking L2. */
  l1TtlMs: number;
  /** How long past freshness a copy may still be served while revalidating or when the database fails, ms. */
  staleMs: number;
  /** L1 size bound (entries); the least recently written entry goes first. */
  l1MaxEntries: number;
  /** How long a request waits on another request's load of the same key before loading itself, ms. */
  loadTimeoutMs: number;
  now?: () => number;
  onCacheError?: (err: unknown) => void;
  onResult?: (key: string, source: CacheSource) => void;
}

interface Entry {
  body: string;
  storedAt: number; // ms since epoch when loaded from the database
}

interface L1Entry extends Entry {
  cachedAt: number; // when this isolate took it (from the database or from L2)
  /** The answer of an L1 hit, built once per entry, with the body as UTF-8 encoded once. */
  hit: CachedValue & { bytes: Uint8Array };
}

const utf8 = new TextEncoder();
const noop = () => {};

/**
 * L2 values carry the time they were loaded, so any isolate can tell fresh from stale:
 * `<storedAt ms>\n<body>`. Upstash keeps them ttl + stale window; freshness is decided here.
 */
export function encodeL2(entry: Entry): string {
  return `${entry.storedAt}\n${entry.body}`;
}

export function decodeL2(raw: string): Entry | null {
  const nl = raw.indexOf('\n');
  const storedAt = nl > 0 ? Number(raw.slice(0, nl)) : NaN;
  return Number.isFinite(storedAt) ? { storedAt, body: raw.slice(nl + 1) } : null;
}

export function createTieredCache(opts: TieredCacheOptions): Cached {
  const now = opts.now ?? Date.now;
  const l1 = new Map<string, L1Entry>();
  const inflight = new Map<string, { promise: Promise<L1Entry>; startedAt: number }>();
  /** Keys whose background refresh failed: no new one before this time. */
  const retryAt = new Map<string, number>();

  function remember(key: string, entry: Entry): L1Entry {
    const hit = Object.freeze({ body: entry.body, bytes: utf8.encode(entry.body), source: 'HIT-L1' as const });
    const local: L1Entry = { body: entry.body, storedAt: entry.storedAt, cachedAt: now(), hit };
    l1.delete(key);
    l1.set(key, local);
    if (l1.size > opts.l1MaxEntries) l1.delete(l1.keys().next().value as string);
    return local;
  }

  async function readL2(key: string, req: CacheRequest): Promise<Entry | null> {
    const t0 = now();
    try {
      const raw = await opts.l2.get(key);
      return raw === null ? null : decodeL2(raw);
    } catch (err) {
      opts.onCacheError?.(err);
      return null;
    } finally {
      req.onCacheTime?.(now() - t0);
    }
  }

  /**
   * One database load per key at a time; the result goes to L1 at once and to L2 in the background.
   *
   * Every caller gets a promise of its own, created in its own request's context. On workerd, a
   * request that awaited the promise created by the loading request directly could resume in that
   * request's I/O context and then fail to send its own response ("Cannot perform I/O on behalf
   * of a different request": under a sustained burst of misses, one answer in four became a 500).
   * A promise created by the caller and settled from the loading request is resumed by the runtime
   * in the caller's context (workerd's cross-request promise resolution).
   */
  function loadOnce(key: string, policy: TtlPolicy, load: () => Promise<string>, req: CacheRequest): Promise<L1Entry> {
    const slot = inflight.get(key);
    const left = slot ? slot.startedAt + opts.loadTimeoutMs - now() : 0;
    if (!slot || left <= 0) return startLoad(key, policy, load, req);
    // A load can take no longer than the database timeout, unless the runtime dropped it (its
    // request was cancelled): past that, load again rather than wait on it forever.
    return new Promise<L1Entry>((resolve, reject) => {
      const timer = setTimeout(() => startLoad(key, policy, load, req).then(resolve, reject), left);
      slot.promise.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e: unknown) => (clearTimeout(timer), reject(e)),
      );
    });
  }

  function startLoad(key: string, policy: TtlPolicy, load: () => Promise<string>, req: CacheRequest): Promise<L1Entry> {
    const promise: Promise<L1Entry> = load()
      .then((body) => {
        const entry = remember(key, { body, storedAt: now() });
        const ttl = policy.ttlSeconds + Math.ceil(opts.staleMs / 1000);
        req.waitUntil(opts.l2.set(key, encodeL2(entry), ttl).catch((err) => opts.onCacheError?.(err)));
        return entry;
      })
      .finally(() => {
        if (inflight.get(key)?.promise === promise) inflight.delete(key);
      });
    inflight.set(key, { promise, startedAt: now() });
    // Others wait on this load: it must outlive its own request, whose client may disconnect.
    req.waitUntil(promise.then(noop, noop));
    return promise;
  }

  const answer = (key: string, entry: Entry | L1Entry, source: CacheSource): CachedValue => {
    opts.onResult?.(key, source);
    if ('hit' in entry) return source === 'HIT-L1' ? entry.hit : { ...entry.hit, source };
    return { body: entry.body, source };
  };

  // L1 answers for l1TtlMs after this isolate took the body, and never past its freshness.
  const isFresh = (e: L1Entry | undefined, t: number, freshMs: number): e is L1Entry =>
    !!e && t - e.cachedAt < opts.l1TtlMs && t - e.storedAt < freshMs;

  function peekL1(key: string, policy: TtlPolicy): CachedValue | undefined {
    const local = l1.get(key);
    return isFresh(local, now(), policy.ttlSeconds * 1000) ? answer(key, local, 'HIT-L1') : undefined;
  }

  async function cached(
    key: string,
    policy: TtlPolicy,
    load: () => Promise<string>,
    req: CacheRequest,
  ): Promise<CachedValue> {
    const t = now();
    const freshMs = policy.ttlSeconds * 1000;
    const local = l1.get(key);
    if (isFresh(local, t, freshMs)) return answer(key, local, 'HIT-L1');

    const remote = await readL2(key, req);
    if (remote && t - remote.storedAt < freshMs) {
      return answer(key, remember(key, remote), 'HIT-L2');
    }
    // A load that finished while this request read L2 left its result in L1 (and cleared its
    // single-flight slot): take it, or every request of that window would load once more.
    const loaded = l1.get(key);
    if (loaded && loaded !== local && now() - loaded.storedAt < freshMs) return answer(key, loaded, 'HIT-L1');
    const stale = [remote, local]
      .filter((e): e is Entry => !!e && t - e.storedAt < freshMs + opts.staleMs)
      .sort((a, b) => b.storedAt - a.storedAt)[0];
    if (stale) {
      // Stale-while-revalidate: answer now, refresh once in the background. After a failed
      // refresh, the next one waits an L1 lifetime: while the database is down, a stream of
      // STALE answers must not become a stream of refreshes against it.
      if ((retryAt.get(key) ?? 0) <= t) {
        const refresh = loadOnce(key, policy, load, req).then(
          () => void retryAt.delete(key),
          (err: unknown) => {
            if (retryAt.size >= opts.l1MaxEntries) retryAt.clear();
            retryAt.set(key, now() + opts.l1TtlMs);
            opts.onCacheError?.(err);
          },
        );
        req.waitUntil(refresh);
      }
      return answer(key, stale, 'STALE');
    }
    try {
      return answer(key, await loadOnce(key, policy, load, req), 'MISS');
    } catch (err) {
      // Stale-if-error: any copy we still hold beats an error.
      const last = local ?? remote;
      if (last) return answer(key, last, 'STALE');
      throw err;
    }
  }

  return Object.assign(cached, { peekL1 });
}
