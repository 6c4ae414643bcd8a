// What the routes need from the database, as a small interface; SQL lives in planetscale-store.ts.
import type { RiskGroup } from '../risk/index.ts';

export interface RecordFilter {
  ageGroup?: number | undefined;
  gender?: number | undefined;
  riskGroup?: RiskGroup | undefined;
}

/** One row of the records table as the API reads it (flags as 0/1 from the database). */
export interface RecordRow {
  id: number;
  age_group_code: number;
  gender_code: number;
  height: number;
  weight: number;
  bmi: number;
  systolic_bp: number;
  diastolic_bp: number;
  fasting_glucose: number;
  total_cholesterol: number;
  triglycerides: number;
  hdl_cholesterol: number;
  smoking_status: number | null;
  flag_hypertension: number;
  flag_diabetes: number;
  flag_high_tc: number;
  flag_high_tg: number;
  flag_low_hdl: number;
  flag_obesity: number;
  flag_smoking: number;
  risk_factor_count: number;
  risk_group: RiskGroup;
  rule_version: string;
  created_at: string; // 'YYYY-MM-DD HH:MM:SS' UTC
}

/** What a /records page shows of a record: its list summary, not the measurements. */
export type RecordSummaryRow = Pick<
  RecordRow,
  | 'id'
  | 'age_group_code'
  | 'gender_code'
  | 'bmi'
  | 'flag_hypertension'
  | 'flag_diabetes'
  | 'flag_high_tc'
  | 'flag_high_tg'
  | 'flag_low_hdl'
  | 'flag_obesity'
  | 'flag_smoking'
  | 'risk_factor_count'
  | 'risk_group'
  | 'created_at'
>;

export interface DatasetSummary {
  total: number;
  valid: number;
  invalid: number;
}

export interface AggRow {
  ageGroup: number;
  riskGroup: RiskGroup;
  records: number;
  riskFactorSum: number;
}

/**
 * The dataset_pointer row: which dataset the API serves. `generation` grows by one on every flip
 * (a load or a rollback); `id` is null before the first load. `tag` names the dataset in cache
 * keys: its id and when it was made, because ids start again at 1 in a database made anew, and a
 * shared Upstash must never answer for a new dataset with a copy of an old one of the same id.
 */
export type LiveDataset = { id: null; generation: number; tag: null } | { id: number; generation: number; tag: string };

/**
 * Every dataset method takes the dataset id first: datasets live side by side in the same
 * tables, and a complete dataset never changes (a load or an append makes a new id).
 */
export interface Store {
  liveDataset(): Promise<LiveDataset>;
  countRecords(dataset: number, filter: RecordFilter): Promise<number>;
  listRecords(dataset: number, filter: RecordFilter, offset: number, limit: number): Promise<RecordSummaryRow[]>;
  getRecord(dataset: number, id: number): Promise<RecordRow | null>;
  summary(dataset: number): Promise<DatasetSummary>;
  aggregates(dataset: number): Promise<AggRow[]>;
  ping(): Promise<void>;
}
