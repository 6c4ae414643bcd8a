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

export interface Store {
  countRecords(filter: RecordFilter): Promise<number>;
  listRecords(filter: RecordFilter, offset: number, limit: number): Promise<RecordSummaryRow[]>;
  getRecord(id: number): Promise<RecordRow | null>;
  summary(): Promise<DatasetSummary>;
  aggregates(): Promise<AggRow[]>;
  ping(): Promise<void>;
}
