// EXPLAIN of every query the store can issue, on the real schema and data: none may scan a
// whole table, and every records query must use an index.
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  POINTER_SQL,
  aggregatesStatement,
  countStatement,
  pageStatement,
  recordStatement,
  summaryStatement,
  type Statement,
} from '../../src/data/planetscale-store.ts';
import { RISK_GROUPS } from '../../src/risk/index.ts';
import type { RecordFilter } from '../../src/data/store.ts';
import { ANCHOR_EVERY, filterKey } from '../../src/data/page-index.ts';

const stack = inject('stack');
let conn: mysql.Connection;
/** The live dataset: every statement is EXPLAINed against its rows. */
let dataset: number;

beforeAll(async () => {
  conn = await mysql.createConnection({ ...stack.mysql, database: stack.database });
  const [[pointer]] = (await conn.query(POINTER_SQL)) as unknown as [[{ live_dataset: number | null } | undefined]];
  expect(pointer?.live_dataset, 'the stack has a live dataset').toBeTruthy();
  dataset = Number(pointer!.live_dataset);
});
afterAll(async () => {
  await conn?.end();
});

interface PlanRow {
  table: string | null;
  type: string | null;
  key: string | null;
  Extra: string | null;
}

async function explain(st: Statement): Promise<PlanRow[]> {
  const [rows] = await conn.query(`EXPLAIN ${mysql.format(st.sql, st.args as Parameters<typeof mysql.format>[1])}`);
  return rows as PlanRow[];
}

function assertIndexed(plan: PlanRow[], what: string) {
  for (const row of plan) {
    if (!row.table || row.Extra?.includes('No tables used') || row.Extra?.includes('Impossible WHERE')) continue;
    // Derived tables (<derived2>) are read whole by design: they hold one page of ids.
    if (row.table.startsWith('<derived')) continue;
    expect(row.type, `${what}: full scan of ${row.table}\n${JSON.stringify(plan, null, 1)}`).not.toBe('ALL');
    expect(row.key, `${what}: no index on ${row.table}\n${JSON.stringify(plan, null, 1)}`).not.toBeNull();
  }
}

/** Every filter combination the API accepts: each of age, gender, risk set or not. */
function filters(): RecordFilter[] {
  const out: RecordFilter[] = [];
  for (const ageGroup of [undefined, 5, 12, 18])
    for (const gender of [undefined, 1, 2])
      for (const riskGroup of [undefined, ...RISK_GROUPS]) out.push({ ageGroup, gender, riskGroup });
  return out;
}

describe('EXPLAIN of every store query', () => {
  it('records: count and page at the first, a middle and the last page of every filter combination', async () => {
    const [[{ n }]] = (await conn.query(
      'SELECT COUNT(*) AS n FROM health_records WHERE dataset_id = ? AND invalid_flag = 0',
      [dataset],
    )) as unknown as [[{ n: number }]];
    for (const f of filters()) {
      const what = JSON.stringify(f);
      assertIndexed(await explain(countStatement(dataset, f)), `count ${what}`);
      for (const offset of [0, Math.floor(n / 2), Math.max(0, n - 20)]) {
        assertIndexed(await explain(pageStatement(dataset, f, offset, 20)), `page ${what} @${offset}`);
      }
    }
  });

  it('the pointer, a record by id, the summary and the aggregates', async () => {
    assertIndexed(await explain({ sql: POINTER_SQL, args: [] }), 'pointer');
    assertIndexed(await explain(recordStatement(dataset, 1)), 'record by id');
    assertIndexed(await explain(summaryStatement(dataset)), 'summary');
    assertIndexed(await explain(aggregatesStatement(dataset)), 'aggregates');
  });

  it('a page reads at most 2 × ANCHOR_EVERY matching records at any depth, through one range scan', async () => {
    const filters: RecordFilter[] = [
      {},
      { ageGroup: 12 },
      { gender: 2 },
      { riskGroup: 'ZERO_TO_ONE_RISK_FACTOR' },
      { ageGroup: 12, gender: 1 },
      { ageGroup: 12, gender: 1, riskGroup: 'ZERO_TO_ONE_RISK_FACTOR' },
    ];
    for (const f of filters) {
      const [[{ total }]] = (await conn.query(
        'SELECT total FROM record_counts WHERE dataset_id = ? AND filter_key = ?',
        [dataset, filterKey(f)],
      )) as unknown as [[{ total: number }]];
      expect(total, filterKey(f)).toBeGreaterThan(0);
      for (const offset of [0, Math.floor(total / 2), total - 1]) {
        const what = `${filterKey(f)} @${offset} of ${total}`;
        const st = pageStatement(dataset, f, offset, 100);
        const [[row]] = (await conn.query(
          `ANALYZE FORMAT=JSON ${mysql.format(st.sql, st.args as Parameters<typeof mysql.format>[1])}`,
        )) as unknown as [[Record<string, string>]];
        const reads = tableReads(JSON.parse(Object.values(row)[0]!)).filter((t) => t.table_name === 'health_records');
        // The scan that finds the page: one range of the primary key, or of the filter index.
        const scans = reads.filter((t) => t.access_type !== 'eq_ref');
        expect(scans, what).toHaveLength(1);
        expect(scans[0]!.access_type, what).toBe('range');
        expect(scans[0]!.key, what).toBe(Object.keys(f).length === 0 ? 'PRIMARY' : 'idx_valid_filters');
        const matching = (scans[0]!.r_rows * scans[0]!.r_filtered) / 100;
        expect(matching, what).toBeLessThanOrEqual(2 * ANCHOR_EVERY);
      }
    }
  });
});

interface TableRead {
  table_name: string;
  access_type: string;
  key: string;
  r_rows: number;
  r_filtered: number;
}

/** Every table access in an ANALYZE FORMAT=JSON plan, wherever it is nested. */
function tableReads(node: unknown): TableRead[] {
  if (!node || typeof node !== 'object') return [];
  const own = 'table' in node ? [(node as { table: TableRead }).table] : [];
  return [...own, ...Object.values(node).flatMap(tableReads)];
}
