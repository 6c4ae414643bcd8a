// Which dataset this isolate serves: the ETL's pointer row, never older than one L1 lifetime
// (so a flip reaches every isolate within CACHE_L1_TTL_MS), never through Upstash. A request in
// the last third of a reading's lifetime re-reads it in the background, so under steady traffic
// no request waits for the pointer: a miss costs one database round trip, not two.
import type { LiveDataset } from './store.ts';

export interface LiveDatasetOptions {
  /** Reads the pointer row (Store.liveDataset: bounded by the store's DB timeout). */
  read: () => Promise<LiveDataset>;
  /** How long a read answers, ms: the L1 lifetime. */
  ttlMs: number;
  /**
   * How long a caller waits on another request's read before reading itself, ms: the database
   * timeout, since no read takes longer unless the runtime dropped it with its request.
   */
  maxWaitMs: number;
  now?: () => number;
  /** The read failed and the last known pointer answers instead (it is kept another ttlMs). */
  onStale?: (err: unknown) => void;
  /** The pointer moved (a load or a rollback flipped it) since this isolate last read it. */
  onChange?: (next: LiveDataset, previous: LiveDataset) => void;
}

export interface LiveDatasetHolder {
  /** The pointer when a read of the last ttlMs holds it, without waiting; else undefined. */
  fresh(): LiveDataset | undefined;
  /** Whether the reading is in the last third of its lifetime and nobody is re-reading it yet. */
  refreshDue(): boolean;
  /** Re-reads the pointer in the background (handed to `waitUntil`); callers keep the reading they have. */
  refresh(waitUntil: (p: Promise<unknown>) => void): void;
  /**
   * The pointer: fresh, or read once for every caller that waits meanwhile (single-flight). The
   * read is handed to `waitUntil`, so it outlives a request whose client disconnects.
   */
  get(waitUntil?: (p: Promise<unknown>) => void): Promise<LiveDataset>;
}

const noop = () => {};

export function createLiveDataset(opts: LiveDatasetOptions): LiveDatasetHolder {
  const now = opts.now ?? Date.now;
  let known: LiveDataset | undefined;
  let knownUntil = 0;
  /** From when a request re-reads the pointer in the background, ahead of its expiry. */
  let refreshFrom = 0;
  let inflight: { promise: Promise<LiveDataset>; startedAt: number } | undefined;

  const fresh = () => (known && now() < knownUntil ? known : undefined);

  function read(waitUntil?: (p: Promise<unknown>) => void): Promise<LiveDataset> {
    // Counted from when the read starts: the row may have flipped right after it was read.
    const startedAt = now();
    const pending = opts
      .read()
      .then(
        (next) => {
          if (known && (next.id !== known.id || next.generation !== known.generation)) opts.onChange?.(next, known);
          known = next;
          knownUntil = startedAt + opts.ttlMs;
          refreshFrom = startedAt + (opts.ttlMs * 2) / 3;
          return next;
        },
        (err: unknown) => {
          if (!known) throw err;
          // Stale-if-error: the last dataset we served is complete and unchanged; keep serving it,
          // and try again one lifetime from now rather than on every request of an outage.
          opts.onStale?.(err);
          knownUntil = now() + opts.ttlMs;
          refreshFrom = knownUntil;
          return known;
        },
      )
      .finally(() => {
        if (inflight?.promise === pending) inflight = undefined;
      });
    inflight = { promise: pending, startedAt };
    waitUntil?.(pending.then(noop, noop));
    return pending;
  }

  return {
    fresh,
    refreshDue: () => inflight === undefined && known !== undefined && now() >= refreshFrom,
    refresh(waitUntil) {
      if (!inflight) read(waitUntil).catch(noop);
    },
    get(waitUntil) {
      const hit = fresh();
      if (hit) return Promise.resolve(hit);
      const slot = inflight;
      const left = slot ? slot.startedAt + opts.maxWaitMs - now() : 0;
      if (!slot || left <= 0) return read(waitUntil);
      // A promise of the caller's own, as in data/cache.ts loadOnce: on workerd, awaiting the
      // loading request's promise directly could resume in that request's I/O context. A read
      // still pending past the database timeout was lost: read again rather than wait forever.
      return new Promise<LiveDataset>((resolve, reject) => {
        const timer = setTimeout(() => read(waitUntil).then(resolve, reject), left);
        slot.promise.then(
          (v) => (clearTimeout(timer), resolve(v)),
          (e: unknown) => (clearTimeout(timer), reject(e)),
        );
      });
    },
  };
}
