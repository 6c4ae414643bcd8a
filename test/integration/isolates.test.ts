// Production runs the Worker in many isolates at once, each with its own L1 and rate-limit
// counts, in front of one database and one (global) Upstash. Two workerd processes here, in front
// of the same gateways: a dataset switch reaches both within the L1 lifetime, the rate limit
// across them overshoots by no more than the documented bound, each counts the Upstash commands
// it sends, and a cache read never waits for a far primary's replication.
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePrometheus } from '../../loadkit/http/server-counters.ts';
import { rollbackDataset, runEtl } from '../../etl/run.ts';
import { syntheticCsv } from '../../local/dataset.ts';
import { startStack, type Stack } from '../../local/stack.ts';

const L1_TTL_MS = 3000;
const OPEN_KEY = 'isolates-open-key';
const LIMITED_KEY = 'isolates-limited-key';
const BURST_KEY = 'isolates-burst-key';
const BURST_LIMIT = 100;
let stack: Stack;
let urls: string[];

beforeAll(async () => {
  stack = await startStack({
    database: 'nhis_test_isolates',
    redisDb: 7,
    dataset: { kind: 'rows', rows: 1000, seed: 13 },
    apiPort: 0,
    planetscalePort: 0,
    upstashPort: 0,
    apiKeys: [OPEN_KEY, LIMITED_KEY, BURST_KEY].join(','),
    extraBindings: { RATE_LIMITS: `${OPEN_KEY}=unlimited,${LIMITED_KEY}=600/60s,${BURST_KEY}=${BURST_LIMIT}/60s` },
    bundleDir: dirname(inject('stack').scriptPath),
    skipBuild: true,
    runtime: 'workerd',
    isolates: 2,
  });
  urls = stack.isolateUrls;
});

afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function get(isolate: number, path: string, key = OPEN_KEY): Promise<Response> {
  const res = await fetch(new URL(path, urls[isolate]), { headers: { 'X-API-KEY': key } });
  await res.clone().arrayBuffer();
  return res;
}

async function totalRecords(isolate: number): Promise<number> {
  const res = await get(isolate, '/stats/risk');
  expect(res.status).toBe(200);
  return ((await res.json()) as { total_records: number }).total_records;
}

/** Polls one isolate every 50 ms until it answers `want`; every answer on the way is `old`. */
async function until(isolate: number, old: number, want: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const got = await totalRecords(isolate);
    if (got === want) return Date.now() - t0;
    expect(got).toBe(old);
    if (Date.now() - t0 > L1_TTL_MS + 1000)
      throw new Error(`isolate ${isolate} still answers ${got} after ${Date.now() - t0} ms`);
    await sleep(50);
  }
}

async function metrics(isolate: number): Promise<Map<string, number>> {
  const res = await get(isolate, '/metrics');
  expect(res.status).toBe(200);
  return parsePrometheus(await res.text());
}

describe('two isolates in front of the same gateways', () => {
  it('are two runtimes with an L1 each', () => {
    expect(urls).toHaveLength(2);
    expect(new Set(urls).size).toBe(2);
  });

  it('a global Upstash: a cache read right after this isolate wrote does not wait for the replica', async () => {
    // The primary 150 ms away, its writes on this edge's replica 800 ms later; CACHE_TIMEOUT_MS is
    // 250, so a read that waited for the replica would time out and fall back to the database.
    stack.upstashGateway.setReplication({ primaryRttMs: 150, replicationLagMs: 800 });
    try {
      // Isolate 1 puts /stats/age in Upstash; isolate 0 has never read it (empty L1).
      expect((await get(1, '/stats/age', LIMITED_KEY)).headers.get('x-cache')).toBe('MISS');
      // Isolate 0 writes: its cache stores a /records count, its rate limiter syncs the key's hits.
      const before = stack.upstashGateway.stats();
      expect((await get(0, '/records?limit=3&gender=1', LIMITED_KEY)).status).toBe(200);
      await sleep(400); // both writes answered by the primary; the replica is 400 ms behind them
      const read = await get(0, '/stats/age', LIMITED_KEY);
      const after = stack.upstashGateway.stats();
      expect(after.writes - before.writes).toBeGreaterThanOrEqual(2);
      expect(read.headers.get('x-cache')).toBe('HIT-L2');
      expect(after.syncWaits - before.syncWaits).toBe(0);
    } finally {
      stack.upstashGateway.setReplication(undefined);
    }
  });

  it('a load and a rollback reach both isolates within the L1 lifetime', async () => {
    expect(await totalRecords(0)).toBe(1000);
    expect(await totalRecords(1)).toBe(1000);
    const target = { kind: 'planetscale' as const, url: stack.planetscale.url };
    const loaded = await runEtl({
      input: await syntheticCsv(1500, 14),
      target,
      api: null,
      progress: 'none',
      log: () => {},
    });
    expect(loaded.status).toBe('loaded');
    const waited = await Promise.all([until(0, 1000, 1500), until(1, 1000, 1500)]);
    for (const ms of waited) expect(ms).toBeLessThanOrEqual(L1_TTL_MS + 1000);

    const back = await rollbackDataset({ target, api: null });
    expect(back.status).toBe('rolled-back');
    const returned = await Promise.all([until(0, 1500, 1000), until(1, 1500, 1000)]);
    for (const ms of returned) expect(ms).toBeLessThanOrEqual(L1_TTL_MS + 1000);
  });

  it('the rate limit across isolates overshoots by at most isolates × ⌈limit/10⌉ plus what one sync round trip lets through', async () => {
    // Upstash's sliding window is aligned to multiples of the window: keep the burst inside one.
    const into = Date.now() % 60_000;
    if (into > 55_000) await sleep(60_000 - into + 100);
    const statuses: number[] = [];
    for (let i = 0; i < 3 * BURST_LIMIT; i++) statuses.push((await get(i % 2, '/stats/risk', BURST_KEY)).status);
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    // Never fewer than the limit: an isolate denies only when it has seen that many hits.
    expect(admitted).toBeGreaterThanOrEqual(BURST_LIMIT);
    // Each isolate may admit hits the other has not heard of: those not yet synced (a sync goes
    // out every ⌈limit/10⌉ hits or every second) and those admitted while a sync is in flight (a
    // sequential client sends a few). Without the shared count it would be 2 × the limit.
    const perIsolate = Math.ceil(BURST_LIMIT / 10) + 5;
    expect(admitted).toBeLessThanOrEqual(BURST_LIMIT + 2 * perIsolate);
    // The other isolate learns the global count at its next sync: both end up refusing.
    expect(statuses.slice(-10)).toEqual(new Array(10).fill(429));
  });

  it('each isolate counts the Upstash commands it sends: at steady state one cache read per key per L1 lifetime, one rate-limit sync per key per second', async () => {
    await Promise.all([get(0, '/stats/risk', LIMITED_KEY), get(1, '/stats/risk', LIMITED_KEY)]);
    const before = await Promise.all([metrics(0), metrics(1)]);
    // Two L1 lifetimes of steady traffic on one cached key from one limited API key, about 20
    // requests per second per isolate (fewer than ⌈600/10⌉ a second: the syncs are time-driven).
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < 2 * L1_TTL_MS) {
      await Promise.all([get(0, '/stats/risk', LIMITED_KEY), get(1, '/stats/risk', LIMITED_KEY)]);
      sent += 2;
      await sleep(50);
    }
    const seconds = (Date.now() - t0) / 1000;
    const after = await Promise.all([metrics(0), metrics(1)]);
    const delta = (i: number, client: string) => {
      const series = `upstash_commands_total{client="${client}"}`;
      expect(after[i]!.has(series), `isolate ${i}: ${series}`).toBe(true);
      return after[i]!.get(series)! - (before[i]!.get(series) ?? 0);
    };
    for (const i of [0, 1]) {
      // One L2 read per L1 lifetime, plus one for a lifetime the window straddles.
      expect(delta(i, 'cache'), `isolate ${i}`).toBeGreaterThanOrEqual(1);
      expect(delta(i, 'cache'), `isolate ${i}`).toBeLessThanOrEqual(3);
      // One sync a second, give or take one at each end of the window.
      expect(delta(i, 'rate_limit'), `isolate ${i}`).toBeGreaterThanOrEqual(Math.floor(seconds) - 1);
      expect(delta(i, 'rate_limit'), `isolate ${i}`).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
      expect(after[i]!.get('upstash_commands_per_request')).toBeGreaterThan(0);
    }
    expect(sent).toBeGreaterThan(50);
  });
});
