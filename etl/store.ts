// The main thread's SQL: the run log (etl_runs), the current dataset's files, and the finishing
// steps of a load (aggregates, summary, files, indexes, the swap).
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { AGE_GROUP_MIN, RISK_GROUPS } from '../src/risk/index.ts';
import { AGG_SIZE, type ChunkStats } from './transform/chunk.ts';
import type { PageIndexBuilder } from '../src/data/page-index.ts';
import { COUNTS_TABLE, PAGES_TABLE, buildPageIndex, writePageIndex } from './page-index.ts';
import { AGG_TABLE, FILES_TABLE, RECORDS_TABLE, SUMMARY_TABLE } from './schema/columns.ts';
import { addIndexesSql, copyCurrentSql, createStagingSql, dropOldSql, dropStagingSql, staging, swapSql } from './sql.ts';

export interface DatasetFile {
  runId: number;
  fileName: string;
  sha256: string;
  rows: number;
  /** Size of the file as loaded (from its run's summary); null if unknown. */
  bytes: number | null;
}

/** Runs left 'running' by a process that died (we hold the ETL lock, so none is alive). */
export async function markInterruptedRuns(conn: Connection): Promise<number> {
  const [r] = await conn.query<ResultSetHeader>(
    "UPDATE etl_runs SET status = 'failed', error = 'interrupted: the process ended before the run finished', finished_at = NOW(3) WHERE status = 'running'",
  );
  return r.affectedRows;
}

export async function insertRun(conn: Connection, fileName: string, sha256: string, mode: 'replace' | 'append', status: 'running' | 'skipped'): Promise<number> {
  const [r] = await conn.query<ResultSetHeader>(
    'INSERT INTO etl_runs (file_name, file_sha256, mode, status, started_at) VALUES (?, ?, ?, ?, NOW(3))',
    [fileName.slice(0, 512), sha256, mode, status],
  );
  return r.insertId;
}

/** Closes a run's log row; `sha256` is filled in here when the checksum finished after the run began. */
export async function finishRun(
  conn: Connection,
  runId: number,
  status: 'succeeded' | 'failed' | 'skipped',
  sha256: string,
  counts: { read: number; valid: number; invalid: number } | null,
  summary: unknown,
  error: string | null = null,
): Promise<void> {
  await conn.query(
    `UPDATE etl_runs SET status = ?, file_sha256 = IF(? = '', file_sha256, ?), rows_read = ?, valid_rows = ?, invalid_rows = ?,
       summary = ?, error = ?, finished_at = NOW(3) WHERE id = ?`,
    [status, sha256, sha256, counts?.read ?? null, counts?.valid ?? null, counts?.invalid ?? null, summary === null ? null : JSON.stringify(summary), error, runId],
  );
}

export async function currentFiles(conn: Connection): Promise<DatasetFile[]> {
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT f.run_id, f.file_name, f.file_sha256, f.rows_loaded, JSON_VALUE(r.summary, '$.file.bytes') AS bytes
     FROM ${FILES_TABLE} f LEFT JOIN etl_runs r ON r.id = f.run_id ORDER BY f.run_id`,
  );
  return rows.map((r) => ({
    runId: r.run_id as number,
    fileName: r.file_name as string,
    sha256: r.file_sha256 as string,
    rows: r.rows_loaded as number,
    bytes: r.bytes === null || r.bytes === undefined ? null : Number(r.bytes),
  }));
}

export async function currentMaxId(conn: Connection): Promise<number> {
  const [rows] = await conn.query<RowDataPacket[]>(`SELECT COALESCE(MAX(id), 0) AS m FROM ${RECORDS_TABLE}`);
  return Number(rows[0]?.m ?? 0);
}

export async function prepareStaging(conn: Connection, recordIndexes: boolean, append: boolean): Promise<void> {
  for (const sql of createStagingSql(recordIndexes)) await conn.query(sql);
  if (append) for (const sql of copyCurrentSql()) await conn.query(sql);
}

export async function dropStaging(conn: Connection): Promise<void> {
  for (const sql of dropStagingSql()) await conn.query(sql);
}

export async function buildIndexes(conn: Connection): Promise<void> {
  await conn.query(addIndexesSql());
}

export interface DatasetTotals {
  total: number;
  valid: number;
  invalid: number;
}

/**
 * Writes the aggregates of the new dataset into staging: this load's per-chunk counts (the
 * workers classified every row already, so no scan of the table is needed), plus for --append
 * the current dataset's aggregates, which are additive.
 */
export async function writeAggregates(
  conn: Connection,
  stats: ChunkStats,
  append: boolean,
  pageIndex: Pick<PageIndexBuilder, 'anchors' | 'totals'> | null,
): Promise<DatasetTotals> {
  const records = stats.aggRecords.slice();
  const riskSum = stats.aggRiskSum.slice();
  const totals: DatasetTotals = { total: stats.rows, valid: stats.valid, invalid: stats.invalid };
  if (append) {
    const [agg] = await conn.query<RowDataPacket[]>(`SELECT age_group_code, risk_group, records, risk_factor_sum FROM ${AGG_TABLE}`);
    for (const r of agg) {
      const i = (Number(r.age_group_code) - AGE_GROUP_MIN) * RISK_GROUPS.length + RISK_GROUPS.indexOf(r.risk_group);
      records[i] = (records[i] as number) + Number(r.records);
      riskSum[i] = (riskSum[i] as number) + Number(r.risk_factor_sum);
    }
    const [sum] = await conn.query<RowDataPacket[]>(`SELECT total_records, valid_records, invalid_records FROM ${SUMMARY_TABLE} WHERE id = 1`);
    if (sum[0]) {
      totals.total += Number(sum[0].total_records);
      totals.valid += Number(sum[0].valid_records);
      totals.invalid += Number(sum[0].invalid_records);
    }
  }
  const values: (string | number)[][] = [];
  for (let i = 0; i < AGG_SIZE; i++) {
    if (!records[i]) continue;
    values.push([AGE_GROUP_MIN + Math.floor(i / RISK_GROUPS.length), RISK_GROUPS[i % RISK_GROUPS.length] as string, records[i] as number, riskSum[i] as number]);
  }
  if (values.length) await conn.query(`INSERT INTO ${staging(AGG_TABLE)} (age_group_code, risk_group, records, risk_factor_sum) VALUES ?`, [values]);
  await conn.query(
    `INSERT INTO ${staging(SUMMARY_TABLE)} (id, total_records, valid_records, invalid_records, refreshed_at) VALUES (1, ?, ?, ?, NOW())`,
    [totals.total, totals.valid, totals.invalid],
  );
  // The /records page index is an aggregate too: totals and anchors per filter combination,
  // built from the workers' rows during the load, else (--append) by scanning staging.
  if (pageIndex) await writePageIndex(conn, pageIndex, staging(PAGES_TABLE), staging(COUNTS_TABLE));
  else await buildPageIndex(conn, staging(RECORDS_TABLE), staging(PAGES_TABLE), staging(COUNTS_TABLE));
  return totals;
}

export async function addFile(conn: Connection, runId: number, fileName: string, sha256: string, rows: number, firstId: number): Promise<void> {
  await conn.query(
    `INSERT INTO ${staging(FILES_TABLE)} (run_id, file_name, file_sha256, rows_loaded, first_id, last_id, loaded_at) VALUES (?, ?, ?, ?, ?, ?, NOW(3))`,
    [runId, fileName.slice(0, 512), sha256, rows, rows ? firstId : null, rows ? firstId + rows - 1 : null],
  );
}

/** The one atomic step: every staging table replaces its live table in a single RENAME TABLE. */
export async function swapIn(conn: Connection): Promise<void> {
  for (const sql of dropOldSql()) await conn.query(sql);
  await conn.query(swapSql());
}

export async function dropOld(conn: Connection): Promise<void> {
  for (const sql of dropOldSql()) await conn.query(sql);
}

/** LOAD DATA LOCAL needs the server's local_infile; turn it on when allowed, else say how. */
export async function ensureLocalInfile(conn: Connection): Promise<void> {
  const [rows] = await conn.query<RowDataPacket[]>('SELECT @@GLOBAL.local_infile AS on_');
  if (Number(rows[0]?.on_) === 1) return;
  try {
    await conn.query('SET GLOBAL local_infile = 1');
  } catch (err) {
    throw new Error(
      `The server has local_infile=OFF and this user cannot turn it on (${(err as Error).message}). ` +
        'Run SET GLOBAL local_infile=1 as an administrator, or add local_infile=1 under [mysqld].',
    );
  }
}

export interface RedoState {
  lsn: number;
  /** Redo the server can hold before writers must wait for page flushing (checkpoint age limit). */
  maxAge: number;
}

/** InnoDB's redo position (MariaDB status variables); null on servers without them. */
export async function redoState(conn: Connection): Promise<RedoState | null> {
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_lsn_current', 'Innodb_checkpoint_max_age')",
    );
    const get = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value);
    const state = { lsn: get('Innodb_lsn_current'), maxAge: get('Innodb_checkpoint_max_age') };
    return Number.isFinite(state.lsn) && Number.isFinite(state.maxAge) ? state : null;
  } catch {
    return null;
  }
}
