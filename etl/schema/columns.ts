// The columns of health_records that the ETL writes, in load order (the tables themselves are in
// 001-datasets.sql; test/unit/etl-schema.test.ts keeps the two in step).
//
// One wide table rather than raw + clean: a bare LOAD DATA of 1M rows costs ~4.6 s for the raw
// columns and ~4.1 s more for a separate derived table, so writing both separately cannot come
// near a bare load. The derived columns ride along in the same row.

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

/**
 * Every column of a health_records row in the order the ETL writes it: the dataset, the record id,
 * the run and source line, the source and derived columns, and the row's timestamp.
 */
export const RECORD_COLUMNS = [
  'dataset_id',
  'id',
  'run_id',
  'source_line',
  ...SOURCE_COLUMNS.map(([, c]) => c),
  ...DERIVED_COLUMNS.map(([c]) => c),
  'created_at',
] as const;
