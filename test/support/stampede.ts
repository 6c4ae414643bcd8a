// A burst of concurrent cache misses on one key, against a Worker on the real stack: the first
// request loads from the database and the others wait for that load (single-flight). Every one
// of them must get its own complete answer (waiters run in their own request's context: see
// loadOnce in src/data/cache.ts), and the burst costs one database statement, not one per
// request that missed.
import { expect } from 'vitest';
import { recordsCountKey } from '../../src/data/cache-keys.ts';
import { filterKey } from '../../src/data/page-index.ts';
import type { StackInfo } from '../../local/stack.ts';
import { deleteKeys, keysLike } from '../../loadkit/http/upstash-rest.ts';

/**
 * `ownWorker`: the Worker serves only this test file, so its GET /metrics counts this burst's
 * statements alone (on the shared stack, other files' requests run meanwhile).
 */
export async function missBurst(
  send: (path: string, init: RequestInit) => Promise<Response>,
  key: string,
  upstash: StackInfo['upstash'],
  ageGroup: number,
  ownWorker: boolean,
) {
  const filter = { ageGroup, gender: 2 as const, riskGroup: 'ZERO_TO_ONE_RISK_FACTOR' as const };
  // Not in L2 (the test's own Upstash) for any dataset; a filter no other test asks for, so
  // not in L1 either.
  const stored = await keysLike(upstash, recordsCountKey('*', filterKey(filter)));
  if (stored.length) await deleteKeys(upstash, stored);
  const countStatements = async () => {
    const res = await send('/metrics', { headers: { 'X-API-KEY': key } });
    expect(res.status).toBe(200);
    const line =
      /^db_query_duration_seconds_count\{pattern="SELECT total FROM record_counts WHERE dataset_id = \? AND filter_key = \?"\} (\d+)$/m.exec(
        await res.text(),
      );
    return Number(line?.[1] ?? 0);
  };
  const before = await countStatements();
  const path = `/records?age_group=${ageGroup}&gender=2&risk_group=ZERO_TO_ONE_RISK_FACTOR&limit=1`;
  const responses = await Promise.all(Array.from({ length: 40 }, () => send(path, { headers: { 'X-API-KEY': key } })));
  const bodies = await Promise.all(responses.map(async (r) => ({ status: r.status, body: await r.text() })));
  expect(bodies.filter((b) => b.status !== 200)).toEqual([]);
  const totals = new Set(
    bodies.map((b) => (JSON.parse(b.body) as { pagination: { total_items: number } }).pagination.total_items),
  );
  expect(totals.size).toBe(1);
  expect([...totals][0]).toBeGreaterThan(0);
  // Single-flight: the whole burst counted the filter's total once (one isolate serves it).
  if (ownWorker) expect((await countStatements()) - before).toBe(1);
}
