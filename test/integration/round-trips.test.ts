// Round trips per request, path by path, with the Worker far from its services: the gateways
// add a round trip to every request (local/network.ts) and log when each one ran, so the test
// counts the round trips one request made one after another. On every path (L1 hit, L2 hit,
// miss, stale, records) a request makes at most one sequential database round trip and at most
// one sequential Upstash round trip: the latency an edge location far from the database pays.
import { dirname } from 'node:path';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sequentialTrips } from '../../local/network.ts';
import { startStack, type Stack } from '../../local/stack.ts';
import { decodeL2, encodeL2 } from '../../src/data/cache.ts';

const L1_TTL_MS = 1000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    database: 'nhis_test_round_trips',
    redisDb: 8,
    dataset: { kind: 'rows', rows: 1000, seed: 17 },
    apiPort: 0,
    planetscalePort: 0,
    upstashPort: 0,
    bundleDir: dirname(inject('stack').scriptPath),
    skipBuild: true,
    runtime: 'workerd',
    latency: { database: { rttMs: 40, jitterMs: 8 }, upstash: { rttMs: 10, jitterMs: 2 } },
    extraBindings: { CACHE_L1_TTL_MS: String(L1_TTL_MS) },
  });
});

afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Path {
  status: number;
  cache: string | null;
  /** Round trips made one after another, to the database and to Upstash. */
  db: number;
  upstash: number;
}

async function measure(path: string): Promise<Path> {
  const from = performance.now();
  const res = await fetch(new URL(path, stack.api.url), { headers: { 'X-API-KEY': stack.api.key } });
  await res.arrayBuffer();
  const to = performance.now();
  await sleep(10); // background work the request started may still be logging
  return {
    status: res.status,
    cache: res.headers.get('x-cache'),
    db: sequentialTrips(stack.networks.database.trips(from), from, to),
    upstash: sequentialTrips(stack.networks.upstash.trips(from), from, to),
  };
}

/** Keeps light traffic going (as production has) while probing `path` until it answers `cache`. */
async function probeUntil(path: string, cache: string): Promise<Path> {
  const t0 = Date.now();
  for (;;) {
    const probe = await measure(path);
    if (probe.cache === cache) return probe;
    if (Date.now() - t0 > 3 * L1_TTL_MS) throw new Error(`${path} never answered ${cache} (last: ${probe.cache})`);
    await measure('/records?page=4&gender=1');
    await sleep(80);
  }
}

describe('sequential round trips per request, with a database 40 ± 8 ms and Upstash 10 ± 2 ms away', () => {
  it('every path: at most one database and one Upstash round trip in a row', async () => {
    // A cold isolate reads the dataset pointer first: the one path with two database round trips.
    const cold = await measure('/stats/risk');
    expect(cold).toMatchObject({ status: 200, cache: 'MISS' });
    expect(cold.db).toBeLessThanOrEqual(2);

    const paths: Record<string, Path> = {};
    paths.miss = await measure('/stats/age');
    paths.l1 = await measure('/stats/age');
    paths.recordsMiss = await measure('/records?page=2&gender=1');
    paths.recordsCountCached = await measure('/records?page=3&gender=1');
    const listed = await fetch(new URL('/records?limit=1', stack.api.url), { headers: { 'X-API-KEY': stack.api.key } });
    const id = ((await listed.json()) as { data: { id: number }[] }).data[0]!.id;
    paths.recordById = await measure(`/records/${id}`);
    // Steady traffic for three L1 lifetimes: copies expire from L1 and come back from Upstash, and
    // the dataset pointer is re-read in the background, so no hit ever waits for the database.
    const steady: Path[] = [];
    for (const end = Date.now() + 3 * L1_TTL_MS; Date.now() < end; await sleep(40))
      steady.push(await measure('/stats/risk'));
    expect(steady.map((p) => p.cache).filter((c) => c !== 'HIT-L1' && c !== 'HIT-L2')).toEqual([]);
    expect(steady.filter((p) => p.db > 0)).toEqual([]);
    paths.l2 = steady.find((p) => p.cache === 'HIT-L2')!;

    // A copy past its freshness in Upstash: served at once, refreshed in the background.
    const redis = createClient({ url: stack.redisUrl });
    await redis.connect();
    try {
      const [key] = await redis.keys('stats:age:d*');
      const entry = decodeL2((await redis.get(key!))!)!;
      await redis.set(key!, encodeL2({ ...entry, storedAt: Date.now() - 120_000 }), { EX: 600 });
    } finally {
      await redis.quit();
    }
    paths.stale = await probeUntil('/stats/age', 'STALE');

    expect(paths.miss).toMatchObject({ status: 200, cache: 'MISS', db: 1, upstash: 1 });
    expect(paths.l1).toMatchObject({ status: 200, cache: 'HIT-L1', db: 0, upstash: 0 });
    expect(paths.l2).toMatchObject({ status: 200, cache: 'HIT-L2', db: 0, upstash: 1 });
    expect(paths.stale).toMatchObject({ status: 200, cache: 'STALE', db: 0, upstash: 1 });
    // The total (cached: Upstash, then the database on a miss) and the page (the database) in parallel.
    expect(paths.recordsMiss, JSON.stringify(paths)).toMatchObject({ status: 200, db: 1, upstash: 1 });
    expect(paths.recordsCountCached).toMatchObject({ status: 200, db: 1, upstash: 0 });
    expect(paths.recordById).toMatchObject({ status: 200, db: 1, upstash: 0 });
    for (const [name, p] of Object.entries(paths)) {
      expect(p.db, name).toBeLessThanOrEqual(1);
      expect(p.upstash, name).toBeLessThanOrEqual(1);
    }
  });
});
