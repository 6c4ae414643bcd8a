// Builds the /records page index of a freshly loaded dataset (see src/data/page-index.ts):
// one pass over the valid records in id order, computing every filter combination's total and
// anchors in memory (8 keys per record, ~30k anchors per million rows), then two bulk inserts.
import type { Connection as CallbackConnection } from 'mysql2';
import type { Connection } from 'mysql2/promise';
import { PageIndexBuilder } from '../src/data/page-index.ts';
import type { RiskGroup } from '../src/risk/index.ts';

export const PAGES_TABLE = 'record_pages';
export const COUNTS_TABLE = 'record_counts';

export function pagesTableDdl(name: string = PAGES_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  filter_key VARCHAR(40) NOT NULL,
  anchor INT UNSIGNED NOT NULL,
  id INT UNSIGNED NOT NULL,
  PRIMARY KEY (filter_key, anchor)
) ENGINE=InnoDB DEFAULT CHARSET=ascii`;
}

export function countsTableDdl(name: string = COUNTS_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  filter_key VARCHAR(40) NOT NULL PRIMARY KEY,
  total INT UNSIGNED NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=ascii`;
}

const BATCH = 5000;

/** Reads `records` (valid rows, id order, streamed) and fills `pages` and `counts`. */
export async function buildPageIndex(conn: Connection, records: string, pages: string, counts: string): Promise<{ anchors: number; keys: number }> {
  const builder = new PageIndexBuilder();
  // A covering index scan in id order (idx_valid_* holds id; the filter columns come from the row).
  // mysql2's promise wrapper keeps the callback connection, whose query() can stream rows.
  const raw = (conn as unknown as { connection: CallbackConnection }).connection;
  const stream = raw
    .query({ sql: `SELECT id, age_group_code, gender_code, risk_group FROM ${records} WHERE invalid_flag = 0 ORDER BY id`, rowsAsArray: true })
    .stream();
  for await (const row of stream as AsyncIterable<[number, number, number, RiskGroup]>) {
    builder.add(row[0], row[1], row[2], row[3]);
  }
  return writePageIndex(conn, builder, pages, counts);
}

/** Writes a built page index (from the scan above, or fed by the workers during a load). */
export async function writePageIndex(
  conn: Connection,
  builder: Pick<PageIndexBuilder, 'anchors' | 'totals'>,
  pages: string,
  counts: string,
): Promise<{ anchors: number; keys: number }> {
  for (let i = 0; i < builder.anchors.length; i += BATCH) {
    await conn.query(`INSERT INTO ${pages} (filter_key, anchor, id) VALUES ?`, [builder.anchors.slice(i, i + BATCH)]);
  }
  const totals = [...builder.totals];
  if (totals.length) await conn.query(`INSERT INTO ${counts} (filter_key, total) VALUES ?`, [totals]);
  return { anchors: builder.anchors.length, keys: totals.length };
}
