// The page index's rows go out in statements of at most 5,000 rows, in the order they were found,
// each row exactly once, and every total after them.
import { describe, expect, it } from 'vitest';
import { writePageIndex } from '../../etl/dataset/writes.ts';
import type { SqlClient } from '../../etl/targets/sql-client.ts';

describe('writePageIndex', () => {
  it('sends every anchor once, 5,000 rows a statement at most, then the totals', async () => {
    const sent: string[] = [];
    const db: SqlClient = {
      describe: 'fake',
      async close() {},
      async execute(sql) {
        sent.push(sql);
        return { rows: [], affectedRows: 0, insertId: 0 };
      },
    };
    const anchors = Array.from({ length: 12_001 }, (_, i) => [`a${5 + (i % 14)}:g*:r*`, i, 100 * i + 1] as const);
    await writePageIndex(db, 9, { anchors, totals: new Map([['a*:g*:r*', 1_200_001]]) });
    const pages = sent.filter((s) => s.startsWith('INSERT INTO record_pages'));
    const rows = pages.map((s) => [...s.matchAll(/\((\d+), '([^']+)', (\d+), (\d+)\)/g)]);
    expect(rows.map((r) => r.length)).toEqual([5000, 5000, 2001]);
    expect(rows.flat().map((m) => [Number(m[1]), m[2], Number(m[3]), Number(m[4])])).toEqual(
      anchors.map(([k, a, id]) => [9, k, a, id]),
    );
    expect(sent.at(-1)).toBe(
      "INSERT INTO record_counts (dataset_id, filter_key, total) VALUES (9, 'a*:g*:r*', 1200001)",
    );
  });
});
