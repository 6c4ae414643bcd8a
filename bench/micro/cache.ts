// The cache tiers' hot path: `createTieredCache` over an in-memory L2, answering from L1 (an
// isolate's repeat request) and from L2 (another isolate's copy). The clock is fixed, so copies stay fresh.
import { createTieredCache, encodeL2, type CacheRequest, type KeyValueCache } from '../../src/data/cache.ts';
import type { MicroTask } from './task.ts';

const NOW = 1_750_000_000_000;
const BODY = JSON.stringify({
  risk_distribution: {
    ZERO_TO_ONE_RISK_FACTOR: { count: 218365, percentage: 64.1 },
    MULTIPLE_RISK_FACTORS: { count: 91280, percentage: 26.8 },
    CHD_RISK_EQUIVALENT: { count: 31041, percentage: 9.1 },
  },
  total_records: 1000000,
  valid_records: 340686,
  invalid_records: 659314,
});

function memoryL2(): KeyValueCache {
  const m = new Map<string, string>();
  return {
    get: async (k) => m.get(k) ?? null,
    set: async (k, v) => void m.set(k, v),
    del: async (keys) => keys.forEach((k) => m.delete(k)),
    ping: async () => {},
  };
}

export function cacheTasks(): MicroTask[] {
  const req: CacheRequest = { waitUntil: () => {} };
  const policy = { ttlSeconds: 60 };
  const load = async () => BODY;
  const l2 = memoryL2();
  void l2.set('stats:risk', encodeL2({ body: BODY, storedAt: NOW }), 360);
  const l1Cache = createTieredCache({
    l2,
    l1TtlMs: 3000,
    staleMs: 300_000,
    l1MaxEntries: 256,
    loadTimeoutMs: 3000,
    now: () => NOW,
  });
  // L1 TTL 0: L1 never answers, every read goes to the (fresh) L2 copy.
  const l2Cache = createTieredCache({
    l2,
    l1TtlMs: 0,
    staleMs: 300_000,
    l1MaxEntries: 256,
    loadTimeoutMs: 3000,
    now: () => NOW,
  });
  void l1Cache('stats:risk', policy, load, req);
  return [
    {
      id: 'cache.l1-hit',
      label: '`createTieredCache`: L1 hit',
      group: 'cache',
      fn: async () => l1Cache('stats:risk', policy, load, req),
      unitsPerCall: 1,
      unit: 'lookups',
    },
    {
      id: 'cache.l1-fresh',
      label: '`createTieredCache`: L1 hit through `fresh()` (no promise)',
      group: 'cache',
      fn: () => l1Cache.peekL1('stats:risk', policy),
      unitsPerCall: 1,
      unit: 'lookups',
    },
    {
      id: 'cache.l2-hit',
      label: '`createTieredCache`: L2 hit (in-memory L2)',
      group: 'cache',
      fn: async () => l2Cache('stats:risk', policy, load, req),
      unitsPerCall: 1,
      unit: 'lookups',
    },
  ];
}
