// How a request calls the data layer: background work through waitUntil, each call timed into
// Server-Timing, the cache's per-request hooks, and the live dataset to serve.
import type { Context } from 'hono';
import type { CacheRequest } from '../data/cache.ts';
import type { LiveDatasetHolder } from '../data/live-dataset.ts';
import type { LiveDataset } from '../data/store.ts';
import type { AppContext } from './hono-env.ts';

/** ctx.waitUntil in the Workers runtime; outside it (in-process tests) the promise just runs. */
export function waitUntilOf(c: Context): (p: Promise<unknown>) => void {
  try {
    const ctx = c.executionCtx;
    return (p) => ctx.waitUntil(p);
  } catch {
    return (p) => void p.catch(() => {});
  }
}

/** Runs a data-path call and records its duration under `name` in Server-Timing. */
export async function timed<T>(c: AppContext, name: 'db' | 'cache', fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    c.get('timings').add(name, Date.now() - t0);
  }
}

/** The cache's per-request hooks: background work and the cache's share of Server-Timing. */
export function cacheRequest(c: AppContext): CacheRequest {
  return { waitUntil: waitUntilOf(c), onCacheTime: (ms) => c.get('timings').add('cache', ms) };
}

/**
 * The isolate's fresh pointer, or undefined. In the last third of its lifetime this request also
 * starts a background re-read, so under steady traffic no request waits for the pointer.
 */
export function freshDataset(c: AppContext, live: LiveDatasetHolder): LiveDataset | undefined {
  const hit = live.fresh();
  if (hit && live.refreshDue()) live.refresh(waitUntilOf(c));
  return hit;
}

/** The dataset to serve: the isolate's fresh pointer as it is, else read (timed as db). */
export function liveDataset(c: AppContext, live: LiveDatasetHolder): LiveDataset | Promise<LiveDataset> {
  return freshDataset(c, live) ?? timed(c, 'db', () => live.get(waitUntilOf(c)));
}
