// Which dataset this isolate serves: the ETL's pointer row, read at most once per L1 lifetime
// (so a flip reaches every isolate within CACHE_L1_TTL_MS), never through Upstash.
import type { LiveDataset } from './store.ts';

export interface LiveDatasetOptions {
  /** Reads the pointer row (Store.liveDataset: bounded by the store's DB timeout). */
  read: () => Promise<LiveDataset>;
  /** How long a read answers, ms: the L1 lifetime. */
  ttlMs: number;
  now?: () => number;
  /** The read failed and the last known pointer answers instead (it is kept another ttlMs). */
  onStale?: (err: unknown) => void;
  /** The pointer moved (a load or a rollback flipped it) since this isolate last read it. */
  onChange?: (next: LiveDataset, previous: LiveDataset) => void;
}

export interface LiveDatasetHolder {
  /** The pointer when a read of the last ttlMs holds it, without waiting; else undefined. */
  fresh(): LiveDataset | undefined;
  /** The pointer: fresh, or read once for every caller that waits meanwhile (single-flight). */
  get(): Promise<LiveDataset>;
}

export function createLiveDataset(opts: LiveDatasetOptions): LiveDatasetHolder {
  const now = opts.now ?? Date.now;
  let known: LiveDataset | undefined;
  let knownUntil = 0;
  let inflight: Promise<LiveDataset> | undefined;

  const fresh = () => (known && now() < knownUntil ? known : undefined);

  function read(): Promise<LiveDataset> {
    // Counted from when the read starts: the row may have flipped right after it was read.
    const startedAt = now();
    const pending = opts
      .read()
      .then(
        (next) => {
          if (known && (next.id !== known.id || next.generation !== known.generation)) opts.onChange?.(next, known);
          known = next;
          knownUntil = startedAt + opts.ttlMs;
          return next;
        },
        (err: unknown) => {
          if (!known) throw err;
          // Stale-if-error: the last dataset we served is complete and unchanged; keep serving it,
          // and try again one lifetime from now rather than on every request of an outage.
          opts.onStale?.(err);
          knownUntil = now() + opts.ttlMs;
          return known;
        },
      )
      .finally(() => {
        inflight = undefined;
      });
    inflight = pending;
    return pending;
  }

  return {
    fresh,
    get() {
      const hit = fresh();
      if (hit) return Promise.resolve(hit);
      const pending = inflight;
      // A promise of the caller's own, as in data/cache.ts loadOnce: on workerd, awaiting the
      // loading request's promise directly could resume in that request's I/O context.
      if (pending) return new Promise<LiveDataset>((resolve, reject) => void pending.then(resolve, reject));
      return read();
    },
  };
}
