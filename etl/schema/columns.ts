// The MySQL schema: one wide table of every source row with its derived fields, the
// pre-aggregated stats tables the API reads, and the ETL run log. Idempotent DDL.
//
// One wide table rather than raw + clean: a bare LOAD DATA of 1M rows costs ~4.6 s for the raw
// columns and ~4.1 s more for a separate derived table (DESIGN.md), so writing both separately
// cannot meet the ETL goal of 1.5x a bare load. The derived columns ride along in the same row.

import { COUNTS_TABLE, PAGES_TABLE, countsTableDdl, pagesTableDdl } from '../page-index.ts';

/** The 33 source columns of the 2024 layout, in order, with their English names and SQL types. */
export const SOURCE_COLUMNS = [
  ['기준년도', 'base_year', 'SMALLINT UNSIGNED'],
  ['가입자일련번호', 'subscriber_id', 'INT UNSIGNED'],
  ['시도코드', 'sido_code', 'TINYINT UNSIGNED'],
  ['성별코드', 'gender_code', 'TINYINT UNSIGNED'],
  ['연령대코드(5세단위)', 'age_group_code', 'TINYINT UNSIGNED'],
  ['신장(5cm단위)', 'height', 'SMALLINT UNSIGNED'],
  ['체중(5kg단위)', 'weight', 'SMALLINT UNSIGNED'],
  ['허리둘레', 'waist', 'DECIMAL(5,1)'],
  ['시력(좌)', 'sight_left', 'DECIMAL(3,1)'],
  ['시력(우)', 'sight_right', 'DECIMAL(3,1)'],
  ['청력(좌)', 'hearing_left', 'TINYINT UNSIGNED'],
  ['청력(우)', 'hearing_right', 'TINYINT UNSIGNED'],
  ['수축기혈압', 'systolic_bp', 'SMALLINT UNSIGNED'],
  ['이완기혈압', 'diastolic_bp', 'SMALLINT UNSIGNED'],
  ['식전혈당(공복혈당)', 'fasting_glucose', 'SMALLINT UNSIGNED'],
  ['총콜레스테롤', 'total_cholesterol', 'SMALLINT UNSIGNED'],
  ['트리글리세라이드', 'triglycerides', 'SMALLINT UNSIGNED'],
  ['HDL콜레스테롤', 'hdl_cholesterol', 'SMALLINT UNSIGNED'],
  ['LDL콜레스테롤', 'ldl_cholesterol', 'SMALLINT UNSIGNED'],
  ['혈색소', 'hemoglobin', 'DECIMAL(4,1)'],
  ['요단백', 'urine_protein', 'TINYINT UNSIGNED'],
  ['혈청크레아티닌', 'serum_creatinine', 'DECIMAL(4,1)'],
  ['혈청지오티(AST)', 'ast', 'SMALLINT UNSIGNED'],
  ['혈청지피티(ALT)', 'alt', 'SMALLINT UNSIGNED'],
  ['감마지티피', 'gamma_gtp', 'SMALLINT UNSIGNED'],
  ['흡연상태', 'smoking_status', 'TINYINT UNSIGNED'],
  ['음주여부', 'drinking', 'TINYINT UNSIGNED'],
  ['구강검진수검여부', 'oral_exam', 'TINYINT UNSIGNED'],
  ['치아우식증유무', 'dental_caries', 'TINYINT UNSIGNED'],
  ['결손치 유무', 'missing_teeth', 'TINYINT UNSIGNED'],
  ['치아마모증유무', 'tooth_wear', 'TINYINT UNSIGNED'],
  ['제3대구치(사랑니) 이상', 'wisdom_tooth', 'TINYINT UNSIGNED'],
  ['치석', 'tartar', 'TINYINT UNSIGNED'],
] as const;

export type SourceColumn = (typeof SOURCE_COLUMNS)[number][1];

/** Derived columns, in load order, after the source columns. */
export const DERIVED_COLUMNS = [
  ['bmi', 'DECIMAL(4,1) NULL'],
  ['flag_hypertension', 'BOOLEAN NULL'],
  ['flag_diabetes', 'BOOLEAN NULL'],
  ['flag_high_tc', 'BOOLEAN NULL'],
  ['flag_high_tg', 'BOOLEAN NULL'],
  ['flag_low_hdl', 'BOOLEAN NULL'],
  ['flag_obesity', 'BOOLEAN NULL'],
  ['flag_smoking', 'BOOLEAN NULL'],
  ['risk_factor_count', 'TINYINT UNSIGNED NULL'],
  ['risk_group', "ENUM('ZERO_TO_ONE_RISK_FACTOR','MULTIPLE_RISK_FACTORS','CHD_RISK_EQUIVALENT') NULL"],
  ['rule_version', 'VARCHAR(16) NULL'],
  ['invalid_flag', 'BOOLEAN NOT NULL'],
  ['invalid_reason', 'VARCHAR(24) NULL'],
  // The source line as read, kept only when a cell could not be stored in its typed column.
  ['raw_line', 'TEXT NULL'],
] as const;

export const RECORDS_TABLE = 'health_records';
export const AGG_TABLE = 'agg_age_risk';
export const SUMMARY_TABLE = 'dataset_summary';
/** Tables that make up one dataset; the ETL builds `<name>_staging` copies and swaps them in at once. */
export const DATASET_TABLES = [RECORDS_TABLE, AGG_TABLE, SUMMARY_TABLE] as const;

/**
 * Secondary indexes of the records table. The ETL keeps them during its parallel bulk load by
 * default (measured faster end to end here than one sort-built ALTER after the load, which runs
 * on one core while the other idles); `--indexes after` builds them after the load instead.
 */
export const RECORD_INDEXES = [
  'KEY idx_valid_id (invalid_flag, id)',
  // Each filter's index is ordered by id after the filter, so a page is a range seek from its
  // anchor; the other filter columns trail, so they are checked in the index (index condition
  // pushdown) instead of by reading every skipped row.
  'KEY idx_valid_age (invalid_flag, age_group_code, id, gender_code, risk_group)',
  'KEY idx_valid_gender (invalid_flag, gender_code, id, age_group_code, risk_group)',
  'KEY idx_valid_risk (invalid_flag, risk_group, id, age_group_code, gender_code)',
] as const;

export function recordsTableDdl(name: string = RECORDS_TABLE, withIndexes = true): string {
  const cols = [
    'id INT UNSIGNED NOT NULL',
    'run_id INT UNSIGNED NOT NULL',
    'source_line INT UNSIGNED NOT NULL',
    ...SOURCE_COLUMNS.map(([, col, type]) => `${col} ${type} NULL`),
    ...DERIVED_COLUMNS.map(([col, type]) => `${col} ${type}`),
    'created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP',
    'PRIMARY KEY (id)',
    ...(withIndexes ? RECORD_INDEXES : []),
  ];
  return `CREATE TABLE IF NOT EXISTS ${name} (\n  ${cols.join(',\n  ')}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

export function aggTableDdl(name: string = AGG_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  age_group_code TINYINT UNSIGNED NOT NULL,
  risk_group ENUM('ZERO_TO_ONE_RISK_FACTOR','MULTIPLE_RISK_FACTORS','CHD_RISK_EQUIVALENT') NOT NULL,
  records INT UNSIGNED NOT NULL,
  risk_factor_sum INT UNSIGNED NOT NULL,
  PRIMARY KEY (age_group_code, risk_group)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

export function summaryTableDdl(name: string = SUMMARY_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY,
  total_records INT UNSIGNED NOT NULL,
  valid_records INT UNSIGNED NOT NULL,
  invalid_records INT UNSIGNED NOT NULL,
  refreshed_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

export const ETL_RUNS_DDL = `CREATE TABLE IF NOT EXISTS etl_runs (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  file_name VARCHAR(512) NOT NULL,
  file_sha256 CHAR(64) NOT NULL,
  mode ENUM('replace','append') NOT NULL,
  status ENUM('running','succeeded','failed','skipped') NOT NULL,
  rows_read INT UNSIGNED NULL,
  valid_rows INT UNSIGNED NULL,
  invalid_rows INT UNSIGNED NULL,
  summary JSON NULL,
  error TEXT NULL,
  started_at DATETIME(3) NOT NULL,
  finished_at DATETIME(3) NULL,
  KEY idx_sha (file_sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/**
 * The source files that make up the current dataset (one after a replace, more after --append).
 * Swapped together with the dataset tables, so it always describes exactly what the API serves,
 * even if a run is killed between the swap and its run-log update.
 */
export const FILES_TABLE = 'dataset_files';

export function filesTableDdl(name: string = FILES_TABLE): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
  run_id INT UNSIGNED NOT NULL PRIMARY KEY,
  file_name VARCHAR(512) NOT NULL,
  file_sha256 CHAR(64) NOT NULL,
  rows_loaded INT UNSIGNED NOT NULL,
  first_id INT UNSIGNED NULL,
  last_id INT UNSIGNED NULL,
  loaded_at DATETIME(3) NOT NULL,
  KEY idx_sha (file_sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

/** Every table the ETL rebuilds as `<name>_staging` and swaps in with one RENAME TABLE. */
export const SWAPPED_TABLES = [...DATASET_TABLES, FILES_TABLE, PAGES_TABLE, COUNTS_TABLE] as const;
export type SwappedTable = (typeof SWAPPED_TABLES)[number];

/** Every statement needed on an empty database, in order; safe to run again. */
export function schemaStatements(): string[] {
  return [recordsTableDdl(), aggTableDdl(), summaryTableDdl(), ETL_RUNS_DDL, filesTableDdl(), pagesTableDdl(), countsTableDdl()];
}
