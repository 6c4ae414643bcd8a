// Which source rows are usable: the /simulate ranges, applied to a screening row, with one
// reason code per rejected row (the first failing check, in a fixed order).
import { AGE_GROUP_MAX, AGE_GROUP_MIN, smokingFromCode, type SmokingStatus } from './codebook.ts';
import type { Measurements } from './rules.ts';

/** Inclusive ranges shared by the /simulate schema and the ETL row check (docs/api.md#input-ranges). */
export const RANGES = {
  age_group: [AGE_GROUP_MIN, AGE_GROUP_MAX],
  gender: [1, 2],
  height: [140, 200],
  weight: [30, 150],
  systolic_bp: [70, 250],
  diastolic_bp: [40, 150],
  fasting_glucose: [50, 400],
  total_cholesterol: [100, 400],
  triglycerides: [30, 500],
  hdl_cholesterol: [20, 100],
} as const satisfies Record<string, readonly [number, number]>;

/** The source fields the rules need; null where the source cell is empty. */
export interface SourceFields {
  ageGroup: number | null;
  gender: number | null;
  height: number | null;
  weight: number | null;
  systolicBp: number | null;
  diastolicBp: number | null;
  fastingGlucose: number | null;
  totalCholesterol: number | null;
  triglycerides: number | null;
  hdlCholesterol: number | null;
  smokingCode: number | null;
}

/** Reason codes, stored with every invalid row. MISSING_X: empty cell; RANGE_X: outside RANGES. */
export const INVALID_REASONS = [
  'BAD_AGE_GROUP',
  'BAD_GENDER',
  'MISSING_HEIGHT',
  'RANGE_HEIGHT',
  'MISSING_WEIGHT',
  'RANGE_WEIGHT',
  'MISSING_SBP',
  'RANGE_SBP',
  'MISSING_DBP',
  'RANGE_DBP',
  'MISSING_GLUCOSE',
  'RANGE_GLUCOSE',
  'MISSING_TC',
  'RANGE_TC',
  'MISSING_TG',
  'RANGE_TG',
  'MISSING_HDL',
  'RANGE_HDL',
  'DBP_NOT_BELOW_SBP',
  'BAD_SMOKING',
  'UNPARSEABLE', // a cell that is not a number where one is required (the ETL sets this)
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

type Checked = readonly [keyof SourceFields, keyof typeof RANGES, InvalidReason, InvalidReason];
const MEASURED: readonly Checked[] = [
  ['height', 'height', 'MISSING_HEIGHT', 'RANGE_HEIGHT'],
  ['weight', 'weight', 'MISSING_WEIGHT', 'RANGE_WEIGHT'],
  ['systolicBp', 'systolic_bp', 'MISSING_SBP', 'RANGE_SBP'],
  ['diastolicBp', 'diastolic_bp', 'MISSING_DBP', 'RANGE_DBP'],
  ['fastingGlucose', 'fasting_glucose', 'MISSING_GLUCOSE', 'RANGE_GLUCOSE'],
  ['totalCholesterol', 'total_cholesterol', 'MISSING_TC', 'RANGE_TC'],
  ['triglycerides', 'triglycerides', 'MISSING_TG', 'RANGE_TG'],
  ['hdlCholesterol', 'hdl_cholesterol', 'MISSING_HDL', 'RANGE_HDL'],
];

const inRange = (v: number, [lo, hi]: readonly [number, number]) => v >= lo && v <= hi;

export type RowCheck =
  | { valid: true; ageGroup: number; gender: 1 | 2; measurements: Measurements }
  | { valid: false; reason: InvalidReason };

/** Decide whether a source row is usable; the first failing check gives the reason. */
export function checkRow(row: SourceFields): RowCheck {
  if (row.ageGroup === null || !inRange(row.ageGroup, RANGES.age_group))
    return { valid: false, reason: 'BAD_AGE_GROUP' };
  if (row.gender !== 1 && row.gender !== 2) return { valid: false, reason: 'BAD_GENDER' };
  for (const [field, range, missing, outside] of MEASURED) {
    const v = row[field];
    if (v === null) return { valid: false, reason: missing };
    if (!inRange(v, RANGES[range])) return { valid: false, reason: outside };
  }
  if ((row.diastolicBp as number) >= (row.systolicBp as number)) return { valid: false, reason: 'DBP_NOT_BELOW_SBP' };
  const smoking: SmokingStatus | null = smokingFromCode(row.smokingCode);
  if (smoking === null) return { valid: false, reason: 'BAD_SMOKING' };
  return {
    valid: true,
    ageGroup: row.ageGroup,
    gender: row.gender,
    measurements: {
      height: row.height as number,
      weight: row.weight as number,
      systolicBp: row.systolicBp as number,
      diastolicBp: row.diastolicBp as number,
      fastingGlucose: row.fastingGlucose as number,
      totalCholesterol: row.totalCholesterol as number,
      triglycerides: row.triglycerides as number,
      hdlCholesterol: row.hdlCholesterol as number,
      smoking,
    },
  };
}
