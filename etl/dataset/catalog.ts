// The datasets' bookkeeping, in short autocommitted statements any target accepts: the pointer
// row (which dataset is live), the datasets and their files, the run log and the run lock.
import type { SqlClient } from '../targets/sql-client.ts';

export interface Pointer {
  live: number | null;
  previous: number | null;
  generation: number;
  /** When the pointer last changed, in this process's clock (Date.now()); 0 if never. */
  changedAt: number;
}

export interface DatasetFile {
  runId: number;
  fileName: string;
  sha256: string;
  bytes: number;
  rows: number;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The pointer and lock rows exist from the first run on (the schema files hold no data). */
export async function ensureControlRows(db: SqlClient): Promise<void> {
  await db.execute('INSERT IGNORE INTO dataset_pointer (id, generation) VALUES (1, 0)');
  await db.execute('INSERT IGNORE INTO etl_lock (id) VALUES (1)');
}

export async function readPointer(db: SqlClient): Promise<Pointer> {
  const { rows } = await db.execute(
    'SELECT live_dataset, previous_dataset, generation, TIMESTAMPDIFF(MICROSECOND, changed_at, NOW(3)) DIV 1000 AS ago_ms FROM dataset_pointer WHERE id = 1',
  );
  const r = rows[0];
  const ago = num(r?.ago_ms);
  return {
    live: num(r?.live_dataset),
    previous: num(r?.previous_dataset),
    generation: Number(r?.generation ?? 0),
    changedAt: ago === null ? 0 : Date.now() - ago,
  };
}

/**
 * Makes `next` live and `previous` the rollback target, only if the pointer is still as read
 * (`expected`): one UPDATE of one row, the only step a reader can see.
 */
export async function switchPointer(
  db: SqlClient,
  expected: Pointer,
  next: number,
  previous: number | null,
): Promise<number> {
  const r = await db.execute(
    `UPDATE dataset_pointer SET live_dataset = ?, previous_dataset = ?, generation = generation + 1, changed_at = NOW(3)
     WHERE id = 1 AND generation = ?`,
    [next, previous, expected.generation],
  );
  if (r.affectedRows !== 1) {
    // A retried UPDATE whose first reply was lost finds its own switch already made.
    const now = await readPointer(db);
    if (now.live === next && now.previous === previous && now.generation === expected.generation + 1)
      return now.generation;
    throw new Error('The live dataset changed while this run worked (another writer?); nothing was switched');
  }
  return expected.generation + 1;
}

export async function datasetFiles(db: SqlClient, datasetId: number): Promise<DatasetFile[]> {
  const { rows } = await db.execute(
    'SELECT run_id, file_name, file_sha256, file_bytes, rows_loaded FROM dataset_files WHERE dataset_id = ? ORDER BY run_id',
    [datasetId],
  );
  return rows.map((r) => ({
    runId: Number(r.run_id),
    fileName: String(r.file_name),
    sha256: String(r.file_sha256),
    bytes: Number(r.file_bytes),
    rows: Number(r.rows_loaded),
  }));
}

export async function createDataset(db: SqlClient, runId: number, base: number | null): Promise<number> {
  const r = await db.execute(
    "INSERT INTO datasets (status, run_id, base_dataset, created_at) VALUES ('loading', ?, ?, NOW(3))",
    [runId, base],
  );
  return r.insertId;
}

export interface DatasetTotals {
  total: number;
  valid: number;
  invalid: number;
}

export async function datasetTotals(db: SqlClient, datasetId: number): Promise<DatasetTotals & { maxId: number }> {
  const { rows } = await db.execute(
    'SELECT total_records, valid_records, invalid_records, max_record_id FROM datasets WHERE id = ?',
    [datasetId],
  );
  const r = rows[0];
  return {
    total: Number(r?.total_records ?? 0),
    valid: Number(r?.valid_records ?? 0),
    invalid: Number(r?.invalid_records ?? 0),
    maxId: Number(r?.max_record_id ?? 0),
  };
}

export async function markReady(db: SqlClient, datasetId: number, totals: DatasetTotals, maxId: number): Promise<void> {
  await db.execute(
    "UPDATE datasets SET status = 'ready', total_records = ?, valid_records = ?, invalid_records = ?, max_record_id = ?, ready_at = NOW(3) WHERE id = ?",
    [totals.total, totals.valid, totals.invalid, maxId, datasetId],
  );
}

export async function addFile(
  db: SqlClient,
  datasetId: number,
  runId: number,
  file: { name: string; sha256: string; bytes: number },
  rows: number,
  firstId: number,
): Promise<void> {
  await db.execute(
    `INSERT INTO dataset_files (dataset_id, run_id, file_name, file_sha256, file_bytes, rows_loaded, first_id, last_id, loaded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, NOW(3))`,
    [
      datasetId,
      runId,
      file.name.slice(0, 512),
      file.sha256,
      file.bytes,
      rows,
      rows ? firstId : null,
      rows ? firstId + rows - 1 : null,
    ],
  );
}

/** Files of `from` carried into `to` by an --append. */
export async function copyFiles(db: SqlClient, from: number, to: number): Promise<void> {
  await db.execute(
    `INSERT INTO dataset_files (dataset_id, run_id, file_name, file_sha256, file_bytes, rows_loaded, first_id, last_id, loaded_at)
     SELECT ?, run_id, file_name, file_sha256, file_bytes, rows_loaded, first_id, last_id, loaded_at FROM dataset_files WHERE dataset_id = ?`,
    [to, from],
  );
}

// ---- the run log -------------------------------------------------------------------------

export type RunMode = 'replace' | 'append' | 'rollback';

export async function insertRun(
  db: SqlClient,
  fileName: string,
  sha256: string,
  mode: RunMode,
  status: 'running' | 'skipped',
): Promise<number> {
  const r = await db.execute(
    'INSERT INTO etl_runs (file_name, file_sha256, mode, status, started_at) VALUES (?, ?, ?, ?, NOW(3))',
    [fileName.slice(0, 512), sha256, mode, status],
  );
  return r.insertId;
}

export async function finishRun(
  db: SqlClient,
  runId: number,
  status: 'succeeded' | 'failed' | 'skipped',
  fields: {
    sha256?: string;
    datasetId?: number | null;
    counts?: { read: number; valid: number; invalid: number } | null;
    summary?: unknown;
    error?: string | null;
  },
): Promise<void> {
  const c = fields.counts ?? null;
  await db.execute(
    `UPDATE etl_runs SET status = ?, file_sha256 = IF(? = '', file_sha256, ?), dataset_id = COALESCE(?, dataset_id),
       rows_read = ?, valid_rows = ?, invalid_rows = ?, summary = ?, error = ?, finished_at = NOW(3) WHERE id = ?`,
    [
      status,
      fields.sha256 ?? '',
      fields.sha256 ?? '',
      fields.datasetId ?? null,
      c?.read ?? null,
      c?.valid ?? null,
      c?.invalid ?? null,
      fields.summary === undefined || fields.summary === null ? null : JSON.stringify(fields.summary),
      fields.error ? fields.error.slice(0, 4000) : null,
      runId,
    ],
  );
}

/** Runs left 'running' by a process that died (the caller holds the run lock, so none is alive). */
export async function markInterruptedRuns(db: SqlClient): Promise<number> {
  const r = await db.execute(
    "UPDATE etl_runs SET status = 'failed', error = 'interrupted: the process ended before the run finished', finished_at = NOW(3) WHERE status = 'running'",
  );
  return r.affectedRows;
}
