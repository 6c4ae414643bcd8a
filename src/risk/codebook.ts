// The official NHIS 건강검진 code book: age bands, gender and smoking codes, as published.
// (The replaced service shifted the age labels by five years; these are the official ones.)

export const AGE_GROUP_MIN = 5;
export const AGE_GROUP_MAX = 18;

/** `"20-24세"` … `"80-84세"`, `"85세 이상"` for codes 1–18 (code 1 = 0–4 years). */
export function ageDisplay(code: number): string {
  if (code >= 18) return '85세 이상';
  const from = (code - 1) * 5;
  return `${from}-${from + 4}세`;
}

export const GENDERS = [1, 2] as const;
export type GenderCode = (typeof GENDERS)[number];

export function genderDisplay(code: GenderCode): string {
  return code === 1 ? '남성' : '여성';
}

export const SMOKING_STATUSES = ['never', 'former', 'current'] as const;
export type SmokingStatus = (typeof SMOKING_STATUSES)[number];

/** Source code 1 = never, 2 = former, 3 = current; missing counts as never (docs/api.md#nhis-code-book). */
export function smokingFromCode(code: number | null | undefined): SmokingStatus | null {
  if (code === null || code === undefined) return 'never';
  if (code === 1) return 'never';
  if (code === 2) return 'former';
  if (code === 3) return 'current';
  return null;
}
