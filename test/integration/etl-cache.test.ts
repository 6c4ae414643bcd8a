// A load, and a rollback, show through the API within one L1 lifetime and never as a stale copy
// of the replaced dataset: the Worker learns the live dataset from the pointer row (re-read once
// per L1 lifetime) and every cached body is keyed by its dataset, so the ETL deletes nothing in
// Upstash. Its own stack: its own database, Redis database and Worker, so the shared test
// dataset never changes under other tests.
import { dirname } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { rollbackDataset, runEtl } from '../../etl/run.ts';
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

async function get<T>(path: string): Promise<{ body: T; cache: string | null }> {
  const res = await fetch(new URL(path, stack.api.url), { headers: { 'X-API-KEY': stack.api.key } });
  expect(res.status).toBe(200);
  return { body: (await res.json()) as T, cache: res.headers.get('x-cache') };
}

const riskStats = () => get<RiskStats>('/stats/risk');
const recordsTotal = async (query: string) =>
  (await get<{ pagination: { total_items: number } }>(`/records?${query}`)).body.pagination.total_items;

/**
 * Polls every 50 ms until `read` answers `want`, for at most one L1 lifetime plus a second;
 * every answer on the way must be the old figure or the new one (never a third, never a mix).
 */
async function until<T>(read: () => Promise<T>, old: T, want: T): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const got = await read();
    if (got === want) return Date.now() - t0;
    expect(got).toBe(old);
    if (Date.now() - t0 > L1_TTL_MS + 1000) throw new Error(`still ${String(got)} after ${Date.now() - t0} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const FILTERS = ['age_group=12', 'gender=2&risk_group=CHD_RISK_EQUIVALENT', 'limit=5'];

describe('ETL → API', () => {
  it('a load and a rollback show everywhere within the L1 lifetime, never as a STALE copy of the other dataset', async () => {
    const first = await riskStats();
    expect(first.body.total_records).toBe(1000);
    const before = await Promise.all(FILTERS.map(recordsTotal));
    // Cached copies of this dataset now sit in L2 (60 s) and L1 (3 s).
    await new Promise((r) => setTimeout(r, L1_TTL_MS + 200));
    expect((await riskStats()).cache).toBe('HIT-L2');

    const result = await runEtl({
      input: await syntheticCsv(1500, 12),
      target: { kind: 'planetscale', url: stack.planetscale.url },
      api: stack.api,
      progress: 'none',
      log: () => {},
    });
    expect(result.status).toBe('loaded');
    expect(result.cache?.rewarmed.map((r) => r.status)).toEqual([200, 200]);
    const after = await Promise.all(FILTERS.map(recordsTotal));

    const waited = await until(async () => (await riskStats()).body.total_records, 1000, 1500);
    expect(waited).toBeLessThanOrEqual(L1_TTL_MS + 1000);
    // Once the isolate follows the pointer, nothing it answers is the old dataset, stale or not.
    const now = await riskStats();
    expect(now.cache).not.toBe('STALE');
    expect(now.body.valid_records).not.toBe(first.body.valid_records);
    const totals = await Promise.all(FILTERS.map(recordsTotal));
    expect(totals).not.toEqual(before);
    for (const [i, q] of FILTERS.entries()) {
      expect(await recordsTotal(q), q).toBe(totals[i]);
      expect([before[i], totals[i]], q).toContain(after[i]); // right after the load: one dataset or the other
    }

    const back = await rollbackDataset({ target: { kind: 'planetscale', url: stack.planetscale.url }, api: null });
    expect(back.status).toBe('rolled-back');
    await until(async () => (await riskStats()).body.total_records, 1500, 1000);
    expect(await Promise.all(FILTERS.map(recordsTotal))).toEqual(before);
  });

  it('a database made anew, whose dataset ids start again, never shows the old database’s copies', async () => {
    const old = await riskStats();
    expect(old.body.total_records).toBe(1000);
    await new Promise((r) => setTimeout(r, L1_TTL_MS + 200));
    expect((await riskStats()).cache).toBe('HIT-L2'); // the old dataset's copies are in the shared Upstash
    // Every table emptied and the pointer's generation starting again, as in a new database, whose
    // next dataset gets the id the old live one has (ids start at 1 in each new database).
    const conn = await mysql.createConnection({ ...stack.mysql, database: stack.database });
    let oldId: number;
    try {
      const [[pointer]] = (await conn.query('SELECT live_dataset FROM dataset_pointer WHERE id = 1')) as unknown as [
        [{ live_dataset: number }],
      ];
      oldId = pointer.live_dataset;
      const [tables] = (await conn.query('SHOW TABLES')) as unknown as [Record<string, string>[]];
      for (const row of tables) await conn.query(`TRUNCATE TABLE \`${Object.values(row)[0]}\``);
      await conn.query(`ALTER TABLE datasets AUTO_INCREMENT = ${Number(oldId)}`);
    } finally {
      await conn.end();
    }
    const result = await runEtl({
      input: await syntheticCsv(700, 13),
      target: { kind: 'planetscale', url: stack.planetscale.url },
      api: null,
      progress: 'none',
      log: () => {},
    });
    expect(result.status).toBe('loaded');
    expect(result.dataset?.id).toBe(oldId);
    await until(async () => (await riskStats()).body.total_records, 1000, 700);
    const now = await riskStats();
    expect(now.cache).not.toBe('STALE');
    expect(await recordsTotal('limit=5')).toBe(now.body.valid_records);
  });
});
