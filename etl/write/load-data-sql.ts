// The LOAD DATA statement of the MySQL-protocol path: one chunk's tab-separated rows into the
// new dataset, with the dataset, ids, lines, run and timestamp set from per-chunk values.
import { DERIVED_COLUMNS, SOURCE_COLUMNS } from '../schema/columns.ts';

/** Columns of the TSV rows processChunk writes: chunk row number, line offset, source, derived. */
export const LOAD_COLUMNS = ['@lid', '@lline', ...SOURCE_COLUMNS.map(([, c]) => c), ...DERIVED_COLUMNS.map(([c]) => c)];

export interface LoadStatement {
  datasetId: number;
  /** Added to the chunk's 1-based row number to give the id. */
  idOffset: number;
  /** Added to the row's line offset in the chunk to give its 1-based line in the file. */
  lineOffset: number;
  runId: number;
  /** 'YYYY-MM-DD HH:MM:SS' UTC. */
  createdAt: string;
  /** Name handed to the infile stream factory. */
  streamName: string;
}

export function loadDataSql(s: LoadStatement): string {
  if (!/^[\w.-]+$/.test(s.streamName)) throw new Error('Bad LOAD DATA stream name');
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(s.createdAt)) throw new Error('Bad LOAD DATA timestamp');
  const ints = [s.datasetId, s.idOffset, s.lineOffset, s.runId];
  if (!ints.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new Error('Bad LOAD DATA offsets');
  return (
    `LOAD DATA LOCAL INFILE '${s.streamName}' INTO TABLE health_records CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${LOAD_COLUMNS.join(', ')}) ` +
    `SET dataset_id = ${s.datasetId}, id = @lid + ${s.idOffset}, source_line = @lline + ${s.lineOffset}, ` +
    `run_id = ${s.runId}, created_at = '${s.createdAt}'`
  );
}
