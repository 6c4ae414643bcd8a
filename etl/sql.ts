// The SQL of a load: staging tables, the LOAD DATA statement the workers run, the index build
// and the one RENAME TABLE that swaps a finished dataset in.
import { COUNTS_TABLE, PAGES_TABLE, countsTableDdl, pagesTableDdl } from './page-index.ts';
import {
  AGG_TABLE,
  aggTableDdl,
  DERIVED_COLUMNS,
  FILES_TABLE,
  filesTableDdl,
  RECORD_INDEXES,
  RECORDS_TABLE,
  recordsTableDdl,
  SOURCE_COLUMNS,
  SUMMARY_TABLE,
  summaryTableDdl,
  SWAPPED_TABLES,
  type SwappedTable,
} from './schema/columns.ts';

export const staging = (table: SwappedTable) => `${table}_staging`;
const old = (table: SwappedTable) => `${table}_old`;

/** Columns of the TSV rows processChunk writes: chunk row number, line offset, source, derived. */
export const LOAD_COLUMNS = ['@lid', '@lline', ...SOURCE_COLUMNS.map(([, c]) => c), ...DERIVED_COLUMNS.map(([c]) => c)];

/**
 * Drops leftovers of any earlier run (a killed run leaves staging or _old tables behind, never a
 * half-swapped dataset) and creates empty staging tables.
 */
export function createStagingSql(recordIndexes: boolean): string[] {
  return [
    ...SWAPPED_TABLES.flatMap((t) => [`DROP TABLE IF EXISTS ${staging(t)}`, `DROP TABLE IF EXISTS ${old(t)}`]),
    recordsTableDdl(staging(RECORDS_TABLE), recordIndexes),
    aggTableDdl(staging(AGG_TABLE)),
    summaryTableDdl(staging(SUMMARY_TABLE)),
    filesTableDdl(staging(FILES_TABLE)),
    pagesTableDdl(staging(PAGES_TABLE)),
    countsTableDdl(staging(COUNTS_TABLE)),
  ];
}

export function dropStagingSql(): string[] {
  return SWAPPED_TABLES.map((t) => `DROP TABLE IF EXISTS ${staging(t)}`);
}

/** One ALTER adding every secondary index: a single scan of the table, sort-built. */
export function addIndexesSql(): string {
  return `ALTER TABLE ${staging(RECORDS_TABLE)} ${RECORD_INDEXES.map((i) => `ADD ${i}`).join(', ')}`;
}

/** Copies the current dataset's rows and files into staging, for --append. */
export function copyCurrentSql(): string[] {
  return [
    `INSERT INTO ${staging(RECORDS_TABLE)} SELECT * FROM ${RECORDS_TABLE} ORDER BY id`,
    `INSERT INTO ${staging(FILES_TABLE)} SELECT * FROM ${FILES_TABLE}`,
  ];
}

export interface LoadStatement {
  /** Added to the chunk's 1-based row number to give the id. */
  idOffset: number;
  /** Added to the row's line offset in the chunk to give its 1-based line in the file. */
  lineOffset: number;
  runId: number;

  /** Name handed to the infile stream factory. */
  streamName: string;
}

/** created_at takes its default, CURRENT_TIMESTAMP, which the loading session pins to the run's start (SET timestamp). */
export function loadDataSql(s: LoadStatement): string {
  if (!/^[\w.-]+$/.test(s.streamName)) throw new Error('Bad LOAD DATA stream name');
  const ints = [s.idOffset, s.lineOffset, s.runId];
  if (!ints.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new Error('Bad LOAD DATA offsets');
  return (
    `LOAD DATA LOCAL INFILE '${s.streamName}' INTO TABLE ${staging(RECORDS_TABLE)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${LOAD_COLUMNS.join(', ')}) ` +
    `SET id = @lid + ${s.idOffset}, source_line = @lline + ${s.lineOffset}, run_id = ${s.runId}`
  );
}

/** Swaps every staging table in at once: the API sees the old dataset or the new one, never a mix. */
export function swapSql(): string {
  const pairs = SWAPPED_TABLES.flatMap((t) => [`${t} TO ${old(t)}`, `${staging(t)} TO ${t}`]);
  return `RENAME TABLE ${pairs.join(', ')}`;
}

export function dropOldSql(): string[] {
  return SWAPPED_TABLES.map((t) => `DROP TABLE IF EXISTS ${old(t)}`);
}
