// The NHIS code book and the source-row check with its reason codes.
import { describe, expect, it } from 'vitest';
import { ageDisplay, checkRow, genderDisplay, smokingFromCode, type SourceFields } from '../../src/risk/index.ts';

describe('code book', () => {
  it('uses the official age bands (not shifted by five years)', () => {
    expect(ageDisplay(5)).toBe('20-24세');
    expect(ageDisplay(9)).toBe('40-44세');
    expect(ageDisplay(12)).toBe('55-59세');
    expect(ageDisplay(17)).toBe('80-84세');
    expect(ageDisplay(18)).toBe('85세 이상');
  });
  it('genders and smoking codes', () => {
    expect(genderDisplay(1)).toBe('남성');
    expect(genderDisplay(2)).toBe('여성');
    expect(smokingFromCode(1)).toBe('never');
    expect(smokingFromCode(2)).toBe('former');
    expect(smokingFromCode(3)).toBe('current');
    expect(smokingFromCode(null)).toBe('never');
    expect(smokingFromCode(7)).toBeNull();
  });
});

const row: SourceFields = {
  ageGroup: 12,
  gender: 1,
  height: 170,
  weight: 80,
  systolicBp: 145,
  diastolicBp: 92,
  fastingGlucose: 110,
  totalCholesterol: 250,
  triglycerides: 180,
  hdlCholesterol: 38,
  smokingCode: 3,
};

describe('checkRow', () => {
  it('accepts a complete row in range', () => {
    const r = checkRow(row);
    expect(r.valid).toBe(true);
    if (r.valid) expect(r.measurements.smoking).toBe('current');
  });
  it('missing smoking counts as never', () => {
    const r = checkRow({ ...row, smokingCode: null });
    expect(r.valid && r.measurements.smoking).toBe('never');
  });
  it.each([
    [{ ageGroup: 4 }, 'BAD_AGE_GROUP'],
    [{ ageGroup: 19 }, 'BAD_AGE_GROUP'],
    [{ ageGroup: null }, 'BAD_AGE_GROUP'],
    [{ gender: 3 }, 'BAD_GENDER'],
    [{ gender: null }, 'BAD_GENDER'],
    [{ height: null }, 'MISSING_HEIGHT'],
    [{ height: 139 }, 'RANGE_HEIGHT'],
    [{ weight: 151 }, 'RANGE_WEIGHT'],
    [{ systolicBp: 251 }, 'RANGE_SBP'],
    [{ diastolicBp: 39 }, 'RANGE_DBP'],
    [{ fastingGlucose: null }, 'MISSING_GLUCOSE'],
    [{ totalCholesterol: null }, 'MISSING_TC'],
    [{ triglycerides: 501 }, 'RANGE_TG'],
    [{ hdlCholesterol: 19 }, 'RANGE_HDL'],
    [{ diastolicBp: 145 }, 'DBP_NOT_BELOW_SBP'],
    [{ smokingCode: 9 }, 'BAD_SMOKING'],
  ])('%o → %s', (over, reason) => {
    expect(checkRow({ ...row, ...over })).toEqual({ valid: false, reason });
  });
  it('range ends are inclusive', () => {
    expect(checkRow({ ...row, height: 140, weight: 30, hdlCholesterol: 100, triglycerides: 500 }).valid).toBe(true);
    expect(
      checkRow({ ...row, height: 200, weight: 150, systolicBp: 250, fastingGlucose: 400, totalCholesterol: 400 }).valid,
    ).toBe(true);
  });
});
