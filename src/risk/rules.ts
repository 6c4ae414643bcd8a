// The guideline-v1 rules: BMI, the seven risk flags, the count and the risk group.
// Pure functions shared by the Worker (/simulate) and the ETL (every source row).
import type { SmokingStatus } from './codebook.ts';

export const RULE_VERSION = 'guideline-v1';

export const RISK_GROUPS = ['ZERO_TO_ONE_RISK_FACTOR', 'MULTIPLE_RISK_FACTORS', 'CHD_RISK_EQUIVALENT'] as const;
export type RiskGroup = (typeof RISK_GROUPS)[number];

/** Guideline cut-offs (KSH/KDA/KSoLA, WHO Asia-Pacific BMI). */
const CUTOFFS = {
  systolicBp: 140,
  diastolicBp: 90,
  fastingGlucose: 126,
  totalCholesterol: 240,
  triglycerides: 200,
  hdlBelow: 40,
  bmi: 25,
} as const;

export interface Measurements {
  height: number; // cm
  weight: number; // kg
  systolicBp: number;
  diastolicBp: number;
  fastingGlucose: number;
  totalCholesterol: number;
  triglycerides: number;
  hdlCholesterol: number;
  smoking: SmokingStatus;
}

/** The flags in their fixed order (explanations and bit positions follow it). */
export const FLAG_NAMES = ['hypertension', 'diabetes', 'highTc', 'highTg', 'lowHdl', 'obesity', 'smoking'] as const;
export type FlagName = (typeof FLAG_NAMES)[number];
export type RiskFlags = Record<FlagName, boolean>;

export interface Classification {
  bmi: number;
  flags: RiskFlags;
  riskFactorCount: number;
  riskGroup: RiskGroup;
}

/** weight / (height/100)², rounded half-up to one decimal. */
export function computeBmi(height: number, weight: number): number {
  const m = height / 100;
  // Round on a scaled integer with a small epsilon so 24.95 (binary 24.9499…) rounds up.
  return Math.round((weight / (m * m)) * 10 + 1e-9) / 10;
}

export function riskGroupOf(diabetes: boolean, count: number): RiskGroup {
  if (diabetes) return 'CHD_RISK_EQUIVALENT';
  return count >= 2 ? 'MULTIPLE_RISK_FACTORS' : 'ZERO_TO_ONE_RISK_FACTOR';
}

export function classify(m: Measurements): Classification {
  const bmi = computeBmi(m.height, m.weight);
  const flags: RiskFlags = {
    hypertension: m.systolicBp >= CUTOFFS.systolicBp || m.diastolicBp >= CUTOFFS.diastolicBp,
    diabetes: m.fastingGlucose >= CUTOFFS.fastingGlucose,
    highTc: m.totalCholesterol >= CUTOFFS.totalCholesterol,
    highTg: m.triglycerides >= CUTOFFS.triglycerides,
    lowHdl: m.hdlCholesterol < CUTOFFS.hdlBelow,
    obesity: bmi >= CUTOFFS.bmi,
    smoking: m.smoking === 'current',
  };
  let count = 0;
  for (const name of FLAG_NAMES) if (flags[name]) count++;
  return { bmi, flags, riskFactorCount: count, riskGroup: riskGroupOf(flags.diabetes, count) };
}

/**
 * The wording of each explanation around its values: the line is t[0] + value + t[1] (+ value +
 * t[2]). Kept apart from the values so the batch can write the same lines as ASCII JSON without a
 * second copy of the wording.
 */
export const EXPLANATION_TEXT: ExplanationText = {
  hypertension: ['Hypertension: SBP≥140 or DBP≥90 (', '/', ')'],
  diabetes: ['Diabetes: fasting glucose≥126 (', ')'],
  highTc: ['High TC: total cholesterol≥240 (', ')'],
  highTg: ['High TG: triglycerides≥200 (', ')'],
  lowHdl: ['Low HDL: hdl<40 (', ')'],
  obesity: ['Obesity(Asia): BMI≥25 (', ')'],
  smoking: ['Smoking: current smoker'],
};

/** The pieces around each flag's values (two values for hypertension, none for smoking). */
export interface ExplanationText {
  hypertension: readonly [string, string, string];
  diabetes: readonly [string, string];
  highTc: readonly [string, string];
  highTg: readonly [string, string];
  lowHdl: readonly [string, string];
  obesity: readonly [string, string];
  smoking: readonly [string];
}

/** One line per true flag, in flag order, in the exact form of docs/api.md#explanations (or in `t`'s). */
export function explain(m: Measurements, c: Classification, t: ExplanationText = EXPLANATION_TEXT): string[] {
  const lines: string[] = [];
  const f = c.flags;
  if (f.hypertension)
    lines.push(t.hypertension[0] + m.systolicBp + t.hypertension[1] + m.diastolicBp + t.hypertension[2]);
  if (f.diabetes) lines.push(t.diabetes[0] + m.fastingGlucose + t.diabetes[1]);
  if (f.highTc) lines.push(t.highTc[0] + m.totalCholesterol + t.highTc[1]);
  if (f.highTg) lines.push(t.highTg[0] + m.triglycerides + t.highTg[1]);
  if (f.lowHdl) lines.push(t.lowHdl[0] + m.hdlCholesterol + t.lowHdl[1]);
  if (f.obesity) lines.push(t.obesity[0] + c.bmi.toFixed(1) + t.obesity[1]);
  if (f.smoking) lines.push(t.smoking[0]);
  return lines;
}

/** Flags packed into 7 bits in FLAG_NAMES order (bit 0 = hypertension), for compact storage. */
export function flagsToBits(flags: RiskFlags): number {
  let bits = 0;
  FLAG_NAMES.forEach((name, i) => {
    if (flags[name]) bits |= 1 << i;
  });
  return bits;
}

export function flagsFromBits(bits: number): RiskFlags {
  const flags = {} as RiskFlags;
  FLAG_NAMES.forEach((name, i) => {
    flags[name] = (bits & (1 << i)) !== 0;
  });
  return flags;
}
