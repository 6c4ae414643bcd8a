// The guideline-v1 rules: BMI, the seven risk flags, the count and the risk group.
// Pure functions shared by the Worker (/simulate) and the ETL (every source row).
import type { SmokingStatus } from './codebook.ts';

export const RULE_VERSION = 'guideline-v1';

export const RISK_GROUPS = ['ZERO_TO_ONE_RISK_FACTOR', 'MULTIPLE_RISK_FACTORS', 'CHD_RISK_EQUIVALENT'] as const;
export type RiskGroup = (typeof RISK_GROUPS)[number];

/** Guideline cut-offs (KSH/KDA/KSoLA, WHO Asia-Pacific BMI). */
export const CUTOFFS = {
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

/** One line per true flag, in flag order, in the exact form of API.md. */
export function explain(m: Measurements, c: Classification): string[] {
  const lines: string[] = [];
  const f = c.flags;
  if (f.hypertension) lines.push(`Hypertension: SBP≥140 or DBP≥90 (${m.systolicBp}/${m.diastolicBp})`);
  if (f.diabetes) lines.push(`Diabetes: fasting glucose≥126 (${m.fastingGlucose})`);
  if (f.highTc) lines.push(`High TC: total cholesterol≥240 (${m.totalCholesterol})`);
  if (f.highTg) lines.push(`High TG: triglycerides≥200 (${m.triglycerides})`);
  if (f.lowHdl) lines.push(`Low HDL: hdl<40 (${m.hdlCholesterol})`);
  if (f.obesity) lines.push(`Obesity(Asia): BMI≥25 (${c.bmi.toFixed(1)})`);
  if (f.smoking) lines.push('Smoking: current smoker');
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
