// The guideline-v1 rules at every cut-off boundary, every flag combination, and the example of docs/api.md#post-simulate.
import { describe, expect, it } from 'vitest';
import {
  FLAG_NAMES,
  RULE_VERSION,
  classify,
  computeBmi,
  explain,
  flagsFromBits,
  flagsToBits,
  riskGroupOf,
  type Measurements,
} from '../../src/risk/index.ts';

/** A person with no risk factor: BMI 22.9, normal BP, glucose, lipids, never smoked. */
const healthy: Measurements = {
  height: 170,
  weight: 66,
  systolicBp: 120,
  diastolicBp: 80,
  fastingGlucose: 90,
  totalCholesterol: 180,
  triglycerides: 100,
  hdlCholesterol: 55,
  smoking: 'never',
};

const flagsOf = (over: Partial<Measurements>) => classify({ ...healthy, ...over }).flags;

describe('cut-off boundaries', () => {
  it.each([
    [{ systolicBp: 139 }, 'hypertension', false],
    [{ systolicBp: 140 }, 'hypertension', true],
    [{ diastolicBp: 89 }, 'hypertension', false],
    [{ diastolicBp: 90, systolicBp: 130 }, 'hypertension', true],
    [{ fastingGlucose: 125 }, 'diabetes', false],
    [{ fastingGlucose: 126 }, 'diabetes', true],
    [{ totalCholesterol: 239 }, 'highTc', false],
    [{ totalCholesterol: 240 }, 'highTc', true],
    [{ triglycerides: 199 }, 'highTg', false],
    [{ triglycerides: 200 }, 'highTg', true],
    [{ hdlCholesterol: 39 }, 'lowHdl', true],
    [{ hdlCholesterol: 40 }, 'lowHdl', false],
    [{ hdlCholesterol: 41 }, 'lowHdl', false],
    [{ smoking: 'current' as const }, 'smoking', true],
    [{ smoking: 'former' as const }, 'smoking', false],
  ])('%o → %s = %s', (over, flag, expected) => {
    expect(flagsOf(over)[flag as keyof ReturnType<typeof flagsOf>]).toBe(expected);
  });

  it('BMI is rounded to one decimal before the obesity cut-off', () => {
    // 72.1 / 1.7² = 24.948… → 24.9: not obese. 72.2 / 1.7² = 24.982… → 25.0: obese.
    expect(computeBmi(170, 72.1)).toBe(24.9);
    expect(flagsOf({ weight: 72.1 }).obesity).toBe(false);
    expect(computeBmi(170, 72.2)).toBe(25);
    expect(flagsOf({ weight: 72.2 }).obesity).toBe(true);
    // Exactly 24.95 rounds half up to 25.0 despite binary floating point.
    expect(computeBmi(200, 99.8)).toBe(25);
    expect(computeBmi(160, 63.872)).toBe(25);
    expect(flagsOf({ height: 200, weight: 99.8 }).obesity).toBe(true);
    expect(computeBmi(200, 99.6)).toBe(24.9);
    expect(flagsOf({ height: 200, weight: 99.6 }).obesity).toBe(false);
  });

  it('BMI examples', () => {
    expect(computeBmi(170, 80)).toBe(27.7);
    expect(computeBmi(165, 80)).toBe(29.4);
    expect(computeBmi(150, 72)).toBe(32);
  });
});

describe('risk group over all 128 flag combinations', () => {
  it('diabetes decides CHD; otherwise two or more flags make MULTIPLE', () => {
    const seen = new Set<string>();
    for (let bits = 0; bits < 128; bits++) {
      const flags = flagsFromBits(bits);
      expect(flagsToBits(flags)).toBe(bits);
      // Build a person with exactly these flags and classify them for real.
      const m: Measurements = {
        ...healthy,
        systolicBp: flags.hypertension ? 150 : 120,
        fastingGlucose: flags.diabetes ? 130 : 90,
        totalCholesterol: flags.highTc ? 250 : 180,
        triglycerides: flags.highTg ? 210 : 100,
        hdlCholesterol: flags.lowHdl ? 35 : 55,
        weight: flags.obesity ? 80 : 66,
        smoking: flags.smoking ? 'current' : 'never',
      };
      const c = classify(m);
      expect(c.flags).toEqual(flags);
      const count = FLAG_NAMES.filter((f) => flags[f]).length;
      expect(c.riskFactorCount).toBe(count);
      const expected = flags.diabetes
        ? 'CHD_RISK_EQUIVALENT'
        : count >= 2
          ? 'MULTIPLE_RISK_FACTORS'
          : 'ZERO_TO_ONE_RISK_FACTOR';
      expect(c.riskGroup).toBe(expected);
      expect(riskGroupOf(flags.diabetes, count)).toBe(expected);
      expect(explain(m, c)).toHaveLength(count);
      seen.add(`${c.riskGroup}:${count}`);
    }
    // ZERO_TO_ONE: counts 0–1; MULTIPLE: 2–6 (no diabetes); CHD: 1–7.
    expect(seen.size).toBe(2 + 5 + 7);
  });
});

describe("the original service's example (docs/api.md#post-simulate)", () => {
  it('classifies the seven-flag example exactly', () => {
    const m: Measurements = {
      height: 165,
      weight: 80,
      systolicBp: 152,
      diastolicBp: 96,
      fastingGlucose: 131,
      totalCholesterol: 255,
      triglycerides: 210,
      hdlCholesterol: 38,
      smoking: 'current',
    };
    const c = classify(m);
    expect(c.bmi).toBe(29.4);
    expect(c.riskFactorCount).toBe(7);
    expect(c.riskGroup).toBe('CHD_RISK_EQUIVALENT');
    expect(explain(m, c)).toEqual([
      'Hypertension: SBP≥140 or DBP≥90 (152/96)',
      'Diabetes: fasting glucose≥126 (131)',
      'High TC: total cholesterol≥240 (255)',
      'High TG: triglycerides≥200 (210)',
      'Low HDL: hdl<40 (38)',
      'Obesity(Asia): BMI≥25 (29.4)',
      'Smoking: current smoker',
    ]);
    expect(RULE_VERSION).toBe('guideline-v1');
  });

  it('prints BMI with one decimal even when whole', () => {
    const m = { ...healthy, height: 150, weight: 72 };
    expect(explain(m, classify(m))).toEqual(['Obesity(Asia): BMI≥25 (32.0)']);
  });

  it('the /records/{id} example: 5 factors, MULTIPLE (no diabetes)', () => {
    const m: Measurements = {
      height: 170,
      weight: 80,
      systolicBp: 145,
      diastolicBp: 92,
      fastingGlucose: 110,
      totalCholesterol: 250,
      triglycerides: 180,
      hdlCholesterol: 38,
      smoking: 'current',
    };
    const c = classify(m);
    expect(c.bmi).toBe(27.7);
    expect(c.riskFactorCount).toBe(5);
    expect(c.riskGroup).toBe('MULTIPLE_RISK_FACTORS');
  });
});
