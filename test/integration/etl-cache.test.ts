// A load is visible through the API at once: the ETL deletes the dataset's keys in Upstash (the
// real gateway, in front of Redis) and re-warms the stats through the API, so the 60-second L2
// copy of the previous dataset is never served again; only an isolate's L1 (CACHE_L1_TTL_MS,
// 3 s) may still answer with it, and only until it expires. Its own stack: its own database,
// Redis database and Worker, so the shared test dataset never changes under other tests.
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runEtl } from '../../etl/run.ts';
import { syntheticCsv } from '../../local/dataset.ts';
import { startStack, type Stack } from '../../local/stack.ts';

const L1_TTL_MS = 3000;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    database: 'nhis_test_cache',
    redisDb: 5,
    dataset: { kind: 'rows', rows: 1000, seed: 11 },
    apiPort: 0,
    planetscalePort: 0,
    upstashPort: 0,
    apiKeys: 'cache-test-key',
    bundleDir: dirname(inject('stack').scriptPath),
    skipBuild: true,
    runtime: 'workerd',
  });
});

afterAll(async () => {
  await stack?.close();
});

interface RiskStats {
  total_records: number;
  valid_records: number;
}

async function riskStats(): Promise<{ body: RiskStats; cache: string | null }> {
  const res = await fetch(new URL('/stats/risk', stack.api.url), { headers: { 'X-API-KEY': stack.api.key } });
  expect(res.status).toBe(200);
  return { body: (await res.json()) as RiskStats, cache: res.headers.get('x-cache') };
}

describe('ETL → API cache', () => {
  it('a new load shows in /stats at once, not after the 60 s cache TTL', async () => {
    const first = await riskStats();
    expect(first.body.total_records).toBe(1000);
    // The previous dataset now lives in L2 for 60 s: after L1 expires, L2 answers with it.
    await new Promise((r) => setTimeout(r, L1_TTL_MS + 200));
    const fromL2 = await riskStats();
    expect(fromL2.cache).toBe('HIT-L2');
    expect(fromL2.body).toEqual(first.body);

    const result = await runEtl({
      input: await syntheticCsv(1500, 12),
      mysql: stack.mysql,
      database: stack.database,
      upstash: stack.upstash,
      api: stack.api,
      progress: 'none',
      log: () => {},
    });
    expect(result.status).toBe('loaded');
    expect(result.cache?.deleted).toBeGreaterThan(0);
    expect(result.cache?.rewarmed.map((r) => r.status)).toEqual([200, 200]);
    const loadedAt = Date.now();

    // At most one L1 lifetime later (counted from the L2 read above, which refreshed this
    // isolate's L1), every answer is the new dataset's.
    let after = await riskStats();
    while (after.body.total_records !== 1500 && Date.now() - loadedAt < L1_TTL_MS + 1000) {
      await new Promise((r) => setTimeout(r, 100));
      after = await riskStats();
    }
    expect(after.body.total_records).toBe(1500);
    expect(after.body.valid_records).not.toBe(first.body.valid_records);
  });
});
