-- The database schema, as a PlanetScale deploy request applies it: create these tables on a
-- development branch (`npm run schema` prints them), then deploy that branch's schema to the
-- production branch, which has safe migrations on. Nothing at load time changes the schema:
-- every dataset lives beside the others under its own dataset_id, and one UPDATE of
-- dataset_pointer makes one of them live (docs/architecture.md#the-dataset-model).

-- Every source row with its derived fields, per dataset. Record ids start at 1 in each dataset.
CREATE TABLE IF NOT EXISTS health_records (
  dataset_id INT UNSIGNED NOT NULL,
  id INT UNSIGNED NOT NULL,
  run_id INT UNSIGNED NOT NULL,
  source_line INT UNSIGNED NOT NULL,
  base_year SMALLINT UNSIGNED NULL,
  subscriber_id INT UNSIGNED NULL,
  sido_code TINYINT UNSIGNED NULL,
  gender_code TINYINT UNSIGNED NULL,
  age_group_code TINYINT UNSIGNED NULL,
  height SMALLINT UNSIGNED NULL,
  weight SMALLINT UNSIGNED NULL,
  waist DECIMAL(5,1) NULL,
  sight_left DECIMAL(3,1) NULL,
  sight_right DECIMAL(3,1) NULL,
  hearing_left TINYINT UNSIGNED NULL,
  hearing_right TINYINT UNSIGNED NULL,
  systolic_bp SMALLINT UNSIGNED NULL,
  diastolic_bp SMALLINT UNSIGNED NULL,
  fasting_glucose SMALLINT UNSIGNED NULL,
  total_cholesterol SMALLINT UNSIGNED NULL,
  triglycerides SMALLINT UNSIGNED NULL,
  hdl_cholesterol SMALLINT UNSIGNED NULL,
  ldl_cholesterol SMALLINT UNSIGNED NULL,
  hemoglobin DECIMAL(4,1) NULL,
  urine_protein TINYINT UNSIGNED NULL,
  serum_creatinine DECIMAL(4,1) NULL,
  ast SMALLINT UNSIGNED NULL,
  alt SMALLINT UNSIGNED NULL,
  gamma_gtp SMALLINT UNSIGNED NULL,
  smoking_status TINYINT UNSIGNED NULL,
  drinking TINYINT UNSIGNED NULL,
  oral_exam TINYINT UNSIGNED NULL,
  dental_caries TINYINT UNSIGNED NULL,
  missing_teeth TINYINT UNSIGNED NULL,
  tooth_wear TINYINT UNSIGNED NULL,
  wisdom_tooth TINYINT UNSIGNED NULL,
  tartar TINYINT UNSIGNED NULL,
  bmi DECIMAL(4,1) NULL,
  flag_hypertension BOOLEAN NULL,
  flag_diabetes BOOLEAN NULL,
  flag_high_tc BOOLEAN NULL,
  flag_high_tg BOOLEAN NULL,
  flag_low_hdl BOOLEAN NULL,
  flag_obesity BOOLEAN NULL,
  flag_smoking BOOLEAN NULL,
  risk_factor_count TINYINT UNSIGNED NULL,
  risk_group ENUM('ZERO_TO_ONE_RISK_FACTOR','MULTIPLE_RISK_FACTORS','CHD_RISK_EQUIVALENT') NULL,
  rule_version VARCHAR(16) NULL,
  invalid_flag BOOLEAN NOT NULL,
  invalid_reason VARCHAR(24) NULL,
  raw_line TEXT NULL,
  created_at DATETIME NOT NULL,
  PRIMARY KEY (dataset_id, id),
  -- The one secondary index: every /records filter is a set of its ranges (a filter not set
  -- reads as every value of its column), each ordered by id, which a page reads only between
  -- two anchors of the page index. One index instead of one per filter: each index costs the
  -- load as much as the table does (docs/architecture.md#the-dataset-model).
  KEY idx_valid_filters (dataset_id, invalid_flag, age_group_code, gender_code, risk_group, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One row per dataset: its state and its totals (what /stats reports as total/valid/invalid).
CREATE TABLE IF NOT EXISTS datasets (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  status ENUM('loading','ready','deleting','deleted') NOT NULL,
  run_id INT UNSIGNED NOT NULL,
  -- The dataset an --append copied before adding its file; NULL for a fresh load.
  base_dataset INT UNSIGNED NULL,
  total_records INT UNSIGNED NULL,
  valid_records INT UNSIGNED NULL,
  invalid_records INT UNSIGNED NULL,
  max_record_id INT UNSIGNED NULL,
  created_at DATETIME(3) NOT NULL,
  ready_at DATETIME(3) NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The one pointer row (id = 1): which dataset the API serves, and the one a rollback returns to.
-- generation grows by one on every switch (a load or a rollback).
CREATE TABLE IF NOT EXISTS dataset_pointer (
  id TINYINT UNSIGNED NOT NULL,
  live_dataset INT UNSIGNED NULL,
  previous_dataset INT UNSIGNED NULL,
  generation INT UNSIGNED NOT NULL DEFAULT 0,
  changed_at DATETIME(3) NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- Valid records and their risk-factor sum per (age group, risk group): what /stats reads.
CREATE TABLE IF NOT EXISTS agg_age_risk (
  dataset_id INT UNSIGNED NOT NULL,
  age_group_code TINYINT UNSIGNED NOT NULL,
  risk_group ENUM('ZERO_TO_ONE_RISK_FACTOR','MULTIPLE_RISK_FACTORS','CHD_RISK_EQUIVALENT') NOT NULL,
  records INT UNSIGNED NOT NULL,
  risk_factor_sum INT UNSIGNED NOT NULL,
  PRIMARY KEY (dataset_id, age_group_code, risk_group)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The /records page index: every filter combination's total, and the id of every 100th
-- matching record (its anchors), so a page at any depth is one seek.
CREATE TABLE IF NOT EXISTS record_counts (
  dataset_id INT UNSIGNED NOT NULL,
  filter_key VARCHAR(40) NOT NULL,
  total INT UNSIGNED NOT NULL,
  PRIMARY KEY (dataset_id, filter_key)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

CREATE TABLE IF NOT EXISTS record_pages (
  dataset_id INT UNSIGNED NOT NULL,
  filter_key VARCHAR(40) NOT NULL,
  anchor INT UNSIGNED NOT NULL,
  id INT UNSIGNED NOT NULL,
  PRIMARY KEY (dataset_id, filter_key, anchor)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;

-- The source files a dataset holds (one after a fresh load, more after --append).
CREATE TABLE IF NOT EXISTS dataset_files (
  dataset_id INT UNSIGNED NOT NULL,
  run_id INT UNSIGNED NOT NULL,
  file_name VARCHAR(512) NOT NULL,
  file_sha256 CHAR(64) NOT NULL,
  file_bytes BIGINT UNSIGNED NOT NULL,
  rows_loaded INT UNSIGNED NOT NULL,
  first_id INT UNSIGNED NULL,
  last_id INT UNSIGNED NULL,
  loaded_at DATETIME(3) NOT NULL,
  PRIMARY KEY (dataset_id, run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- The ETL's run log: every run, what it did and its summary.
CREATE TABLE IF NOT EXISTS etl_runs (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT,
  file_name VARCHAR(512) NOT NULL,
  file_sha256 CHAR(64) NOT NULL,
  mode ENUM('replace','append','rollback') NOT NULL,
  status ENUM('running','succeeded','failed','skipped') NOT NULL,
  dataset_id INT UNSIGNED NULL,
  rows_read INT UNSIGNED NULL,
  valid_rows INT UNSIGNED NULL,
  invalid_rows INT UNSIGNED NULL,
  summary JSON NULL,
  error TEXT NULL,
  started_at DATETIME(3) NOT NULL,
  finished_at DATETIME(3) NULL,
  PRIMARY KEY (id),
  KEY idx_sha (file_sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- One ETL run at a time: a row with an expiry (id = 1), renewed while the run lives, so a
-- killed run's lock lapses by itself. (Vitess serves GET_LOCK only on a reserved connection.)
CREATE TABLE IF NOT EXISTS etl_lock (
  id TINYINT UNSIGNED NOT NULL,
  holder VARCHAR(64) NULL,
  acquired_at DATETIME(3) NULL,
  expires_at DATETIME(3) NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=ascii;
