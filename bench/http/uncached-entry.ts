// Bench-only Worker entry for the "uncached" figures: the production app, wired by
// src/wiring.ts exactly as the Worker entry is, whose cache clock jumps two days at every reading,
// so every copy stored before a lookup (L1, L2, stale) is expired and each request takes the miss
// path: L2 read, single-flight database load, L2 write in waitUntil. Its L2 reads still go to
// Upstash, but what they return is stamped as loaded at time 0, so a copy written by a concurrent
// load is not taken as fresh either. (Its Server-Timing "cache" figure is meaningless: it spans a
// jump.)
import { decodeL2, encodeL2, type KeyValueCache } from '../../src/data/cache.ts';
import type { Env } from '../../src/config.ts';
import { appForEnv, type App } from '../../src/wiring.ts';

type Ctx = Parameters<App['fetch']>[2];

/** Longer than any fresh + stale window (60 s + CACHE_STALE_MS, at most a day by config). */
const JUMP_MS = 2 * 86_400_000;
let skew = 0;
// Every reading is later than every earlier one by a jump, so whatever was stored before a lookup
// (even by a request still in flight) is expired when that lookup reads the clock.
const now = () => Date.now() + (skew += JUMP_MS);

/** The real L2 round trip, its answer re-stamped as loaded at time 0 (expired past any stale window). */
function expiredOnRead(l2: KeyValueCache): KeyValueCache {
  return {
    ...l2,
    async get(key) {
      const raw = await l2.get(key);
      const entry = raw === null ? null : decodeL2(raw);
      return entry ? encodeL2({ body: entry.body, storedAt: 0 }) : raw;
    },
  };
}

const appFor = appForEnv({ wrapCache: expiredOnRead, now });

export default {
  fetch(request: Request, env: Env, ctx: Ctx): Response | Promise<Response> {
    return appFor(env).fetch(request, env, ctx);
  },
};
