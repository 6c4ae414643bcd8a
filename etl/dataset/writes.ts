// What a load writes besides the rows, and how a dataset is copied (--append) or removed: every
// statement bounded to stay within PlanetScale's per-query limits (100,000 rows read, updated or
// deleted; 30 s per DML statement), by id ranges and row counts, each on its own.
import { AGE_GROUP_MIN, RISK_GROUPS } from '../../src/risk/index.ts';
import { AGG_SIZE, type ChunkStats } from '../transform/chunk.ts';
import type { PageIndex } from '../transform/page-feed.ts';
import { RECORD_COLUMNS } from '../schema/columns.ts';
import type { SqlClient } from '../targets/sql-client.ts';
import type { DatasetTotals } from './catalog.ts';

/** Rows one copy or delete statement touches at most: half of PlanetScale's 100,000. */
export const ROWS_PER_STATEMENT = 50_000;
/** Page-index rows per INSERT. */
const INDEX_ROWS_PER_INSERT = 5_000;

const FILTER_KEY = /^[a-z0-9:*_A-Z]+$/;

/** Aggregates of the new dataset: this load's counts, plus the base dataset's for an --append. */
export async function writeAggregates(
  db: SqlClient,
  datasetId: number,
  stats: ChunkStats,
  base: number | null,
  baseTotals: DatasetTotals | null,
): Promise<DatasetTotals> {
  const records = stats.aggRecords.slice();
  const riskSum = stats.aggRiskSum.slice();
  const totals: DatasetTotals = { total: stats.rows, valid: stats.valid, invalid: stats.invalid };
  if (base !== null) {
    const { rows } = await db.execute(
      'SELECT age_group_code, risk_group, records, risk_factor_sum FROM agg_age_risk WHERE dataset_id = ?',
      [base],
    );
    for (const r of rows) {
      const i =
        (Number(r.age_group_code) - AGE_GROUP_MIN) * RISK_GROUPS.length +
        RISK_GROUPS.indexOf(r.risk_group as (typeof RISK_GROUPS)[number]);
      records[i] = (records[i] as number) + Number(r.records);
      riskSum[i] = (riskSum[i] as number) + Number(r.risk_factor_sum);
    }
    if (baseTotals) {
      totals.total += baseTotals.total;
      totals.valid += baseTotals.valid;
      totals.invalid += baseTotals.invalid;
    }
  }
  const values: string[] = [];
  for (let i = 0; i < AGG_SIZE; i++) {
    if (!records[i]) continue;
    const age = AGE_GROUP_MIN + Math.floor(i / RISK_GROUPS.length);
    values.push(`(${datasetId}, ${age}, '${RISK_GROUPS[i % RISK_GROUPS.length]}', ${records[i]}, ${riskSum[i]})`);
  }
  if (values.length)
    await db.execute(
      `INSERT INTO agg_age_risk (dataset_id, age_group_code, risk_group, records, risk_factor_sum) VALUES ${values.join(', ')}`,
    );
  return totals;
}

/** The page index built during the load: totals and anchors per filter key. */
export async function writePageIndex(db: SqlClient, datasetId: number, index: PageIndex): Promise<void> {
  // Each statement's text is built as it goes, one anchor at a time, and sent before the next.
  let values = '';
  let rows = 0;
  const send = async () => {
    if (rows) await db.execute(`INSERT INTO record_pages (dataset_id, filter_key, anchor, id) VALUES ${values}`);
    values = '';
    rows = 0;
  };
  for (const [key, anchor, id] of index.anchors) {
    values += `${rows ? ', ' : ''}(${datasetId}, '${checkedKey(key)}', ${anchor}, ${id})`;
    if (++rows === INDEX_ROWS_PER_INSERT) await send();
  }
  await send();
  const totals = [...index.totals].map(([key, total]) => `(${datasetId}, '${checkedKey(key)}', ${total})`);
  for (let i = 0; i < totals.length; i += INDEX_ROWS_PER_INSERT) {
    await db.execute(
      `INSERT INTO record_counts (dataset_id, filter_key, total) VALUES ${totals.slice(i, i + INDEX_ROWS_PER_INSERT).join(', ')}`,
    );
  }
}

function checkedKey(key: string): string {
  if (!FILTER_KEY.test(key)) throw new Error(`Unexpected filter key ${JSON.stringify(key)}`);
  return key;
}

/** A base dataset's page-index totals: where an --append's counting continues. */
export async function pageIndexTotals(db: SqlClient, datasetId: number): Promise<Map<string, number>> {
  const { rows } = await db.execute('SELECT filter_key, total FROM record_counts WHERE dataset_id = ?', [datasetId]);
  return new Map(rows.map((r) => [String(r.filter_key), Number(r.total)]));
}

/** Copies the base dataset's anchors (per filter key, in bounded anchor ranges). */
export async function copyPageAnchors(
  db: SqlClient,
  from: number,
  to: number,
  totals: Map<string, number>,
  anchorEvery: number,
): Promise<void> {
  for (const [key, total] of totals) {
    const anchors = Math.ceil(total / anchorEvery);
    for (let a = 0; a < anchors; a += ROWS_PER_STATEMENT) {
      await db.execute(
        `INSERT INTO record_pages (dataset_id, filter_key, anchor, id)
         SELECT ?, filter_key, anchor, id FROM record_pages WHERE dataset_id = ? AND filter_key = ? AND anchor >= ? AND anchor < ?`,
        [to, from, checkedKey(key), a, a + ROWS_PER_STATEMENT],
      );
    }
  }
}

const COPIED_COLUMNS = RECORD_COLUMNS.filter((c) => c !== 'dataset_id').join(', ');

/** Copies the base dataset's records (ids 1..maxId) into `to`, id range by id range. */
export async function copyRecords(
  db: SqlClient,
  from: number,
  to: number,
  maxId: number,
  onProgress?: (copied: number) => void,
): Promise<void> {
  for (let lo = 0; lo < maxId; lo += ROWS_PER_STATEMENT) {
    await db.execute(
      `INSERT INTO health_records (dataset_id, ${COPIED_COLUMNS}) SELECT ?, ${COPIED_COLUMNS} FROM health_records WHERE dataset_id = ? AND id > ? AND id <= ?`,
      [to, from, lo, lo + ROWS_PER_STATEMENT],
    );
    onProgress?.(Math.min(maxId, lo + ROWS_PER_STATEMENT));
  }
}

/**
 * How long after a dataset stops being live its rows stay: an isolate may go on reading it for
 * its L1 lifetime (CACHE_L1_TTL_MS, 3 s) and one database timeout (DB_TIMEOUT_MS, 3 s) more.
 */
export const REMOVAL_GRACE_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Removes every dataset that is neither live nor the rollback target: a replaced one, or a load
 * that was killed before it went live. Rows go in id ranges; the row of `datasets` stays, marked.
 * `lastLiveAt` (Date.now() clock): when any of them was last live; removal waits until the
 * grace period after it has passed.
 */
export async function removeUnreferenced(
  db: SqlClient,
  keep: (number | null)[],
  log: (line: string) => void = () => {},
  lastLiveAt = 0,
  graceMs = REMOVAL_GRACE_MS,
): Promise<number[]> {
  const kept = keep.filter((k): k is number => k !== null);
  const { rows } = await db.execute(
    `SELECT id, max_record_id FROM datasets WHERE status <> 'deleted'${kept.length ? ` AND id NOT IN (${kept.map(() => '?').join(', ')})` : ''}`,
    kept,
  );
  const removed: number[] = [];
  const wait = lastLiveAt + graceMs - Date.now();
  if (rows.length && wait > 0) {
    log(
      `Waiting ${(wait / 1000).toFixed(1)} s before removing an old dataset: API isolates may still read it that long after the last switch`,
    );
    await sleep(wait);
  }
  for (const r of rows) {
    const id = Number(r.id);
    await db.execute("UPDATE datasets SET status = 'deleting' WHERE id = ?", [id]);
    // A killed load never recorded its last id: ask the primary key (one index dive).
    const { rows: top } = await db.execute('SELECT MAX(id) AS m FROM health_records WHERE dataset_id = ?', [id]);
    const maxId = Number(top[0]?.m ?? 0);
    for (let hi = maxId; hi > 0; hi -= ROWS_PER_STATEMENT) {
      await db.execute('DELETE FROM health_records WHERE dataset_id = ? AND id > ? AND id <= ?', [
        id,
        Math.max(0, hi - ROWS_PER_STATEMENT),
        hi,
      ]);
    }
    for (const table of ['record_pages', 'record_counts', 'agg_age_risk', 'dataset_files']) {
      // Bounded by LIMIT: a 5M-row dataset has ~150,000 anchors.
      for (;;) {
        const d = await db.execute(`DELETE FROM ${table} WHERE dataset_id = ? LIMIT ${ROWS_PER_STATEMENT}`, [id]);
        if (d.affectedRows < ROWS_PER_STATEMENT) break;
      }
    }
    await db.execute("UPDATE datasets SET status = 'deleted' WHERE id = ?", [id]);
    log(`Removed dataset #${id} (${maxId.toLocaleString('en-US')} records)`);
    removed.push(id);
  }
  return removed;
}
