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

  it('the page query really seeks: the filter index is a range, not a walk of the table', async () => {
    const [[{ total }]] = (await conn.query(
      "SELECT total FROM record_counts WHERE dataset_id = ? AND filter_key = 'a12:g1:r*'",
      [dataset],
    )) as unknown as [[{ total: number }]];
    expect(total).toBeGreaterThan(0);
    const plan = await explain(pageStatement(dataset, { ageGroup: 12, gender: 1 }, Math.floor(total / 2), 20));
    const inner = plan.find((r) => r.table === 'health_records' && r.key === 'idx_valid_age');
    expect(inner?.type).toBe('range');
  });
});
