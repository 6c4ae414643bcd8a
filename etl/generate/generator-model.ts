// The synthetic NHIS person: one seeded draw per row of every source column, calibrated to the
// published facts of docs/data.md#distributions (age and smoking shares, waist by age, lipid
// panel on ~1/3 of rows).
import { cumulative, type Rng } from './prng.ts';

/** Age group codes 5..18 with their 2017 shares (docs/data.md#distributions). */
const AGE_CODES = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18] as const;
const AGE_CUM = cumulative([2, 6, 8, 8, 13, 12, 13, 11, 11, 5, 5, 3, 2, 0.4]);

/** 시도코드 (2024 codes, 51 = 강원특별자치도, 52 = 전북특별자치도) weighted by population. */
const SIDO_CODES = [11, 26, 27, 28, 29, 30, 31, 36, 41, 51, 43, 44, 52, 46, 47, 48, 49] as const;
const SIDO_CUM = cumulative([18.3, 6.4, 4.6, 5.8, 2.8, 2.8, 2.2, 0.8, 26.4, 3.0, 3.1, 4.2, 3.4, 3.5, 5.0, 6.4, 1.3]);

/** Smoking never/former/current by sex: overall ≈ 61/18/21 %, current far more common in men. */
const SMOKING_CUM = { male: cumulative([32.6, 31.4, 36.0]), female: cumulative([93.0, 3.0, 4.0]) };

/** Knobs of the calibration (see test/unit/etl-generator.test.ts for the shares they produce). */
export const MODEL = {
  maleShare: 0.53,
  lipidBase: 0.29, // lipid panel measured: rises with age, about one row in three overall
  lipidPerAgeStep: 0.02,
  floatPrintShare: 0.2, // rows printing integers as "170.0"
} as const;

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : Math.min(v, hi));
const round5 = (v: number) => Math.round(v / 5) * 5;
const fixed1 = (v: number) => (Math.round(v * 10) / 10).toFixed(1);

/** One synthetic row as CSV cells in SOURCE_COLUMNS order ('' = empty cell). */
export function synthRow(rng: Rng, subscriberId: number, year: number): string[] {
  const male = rng.chance(MODEL.maleShare);
  const ageCode = AGE_CODES[rng.pick(AGE_CUM)] as number;
  const age = (ageCode - 1) * 5 + 2.5;
  const a = (age - 22.5) / 10; // decades above the youngest band
  const z = rng.normal(); // shared metabolic factor: couples BMI, waist, BP, glucose, TG, HDL
  const asFloat = rng.chance(MODEL.floatPrintShare);
  const int = (v: number) => (asFloat ? `${Math.round(v)}.0` : String(Math.round(v)));
  const maybe = (p: number, cell: () => string) => (rng.chance(p) ? '' : cell());

  // Body: height falls with age band, BMI rises (more for women); both rounded to 5 as published.
  const heightCm = male ? 174.5 - 1.3 * a + 5.8 * rng.normal() : 161.5 - 1.6 * a + 5.3 * rng.normal();
  const bmiMean = male ? 23.7 + 0.2 * a : 21.4 + 0.42 * a;
  const bmiTrue = bmiMean + 3.1 * (0.6 * z + 0.8 * rng.normal());
  const weightKg = clamp(bmiTrue, 14, 60) * (heightCm / 100) ** 2;
  const height = maybe(0.0005, () => int(round5(heightCm)));
  const weight = maybe(0.0005, () => int(round5(weightKg)));

  // Waist: median ≈ 73 cm at 20–24 rising to ≈ 84 cm at 70–79 (docs/data.md); 999 = not measured.
  const waistCm = 73 + 11 * clamp(a / 5, 0, 1.1) + (male ? 4 : -4.5) + 2.3 * (bmiTrue - bmiMean) + 3.5 * rng.normal();
  const waist = rng.chance(0.0008) ? '999' : maybe(0.001, () => (rng.chance(0.4) ? fixed1(waistCm) : int(waistCm)));

  // Blood pressure rises with age; the metabolic factor shifts it.
  const sbpV = 110 + 3.8 * a + (male ? 5 : 0) + 5.5 * z + 11.5 * rng.normal();
  const dbpV = clamp(0.52 * sbpV + 10 + (male ? 2.5 : 0) + 7.5 * rng.normal(), 35, sbpV - 12);
  const missingBp = rng.chance(0.001);
  const sbp = missingBp ? '' : int(sbpV);
  const dbp = missingBp ? '' : int(dbpV);

  // Fasting glucose: log-normal core; diabetes more likely with age and the metabolic factor.
  const diabetic = rng.next() < 1 / (1 + Math.exp(-(-3.85 + 0.42 * a + 0.75 * z + (male ? 0.3 : 0))));
  const glucoseV = diabetic
    ? 118 + 38 * Math.abs(rng.normal()) + 6 * rng.normal()
    : Math.exp(Math.log(90 + 1.8 * a + 3.5 * z) + 0.085 * rng.normal());
  const glucose = maybe(0.003, () => int(clamp(glucoseV, 45, 600)));

  // Lipid panel, measured on about one row in three (every few years per person).
  let tc = '';
  let tg = '';
  let hdl = '';
  let ldl = '';
  if (rng.chance(MODEL.lipidBase + MODEL.lipidPerAgeStep * a)) {
    const tgV = Math.exp(Math.log((male ? 112 : 88) + 6 * a) + 0.2 * z + 0.46 * rng.normal());
    const hdlV = (male ? 51 : 61) - 3.2 * z + 11.5 * rng.normal();
    const tcV = 186 + (male ? 3 * a : 5.5 * a) + 35 * rng.normal() + 0.04 * (tgV - 100);
    tc = int(clamp(tcV, 70, 600));
    tg = int(clamp(tgV, 15, 3000));
    hdl = maybe(0.004, () => int(clamp(hdlV, 10, 160)));
    const ldlV = tcV - hdlV - tgV / 5;
    ldl = tgV >= 400 || rng.chance(0.03) ? '' : int(clamp(ldlV, 5, 450));
  }

  const smoking = maybe(0.001, () => String(1 + rng.pick(male ? SMOKING_CUM.male : SMOKING_CUM.female)));
  const drinking = maybe(0.0005, () => (rng.chance(male ? 0.64 : 0.37) ? '1' : '0'));
  const oral = rng.chance(0.36);
  const detail = (p: number) => (oral && rng.chance(p) ? (rng.chance(0.25) ? '1' : '0') : '');
  const sight = () =>
    maybe(0.001, () => (rng.chance(0.003) ? '9.9' : fixed1(clamp(1.0 - 0.04 * a + 0.3 * rng.normal(), 0.1, 2.5))));
  const hearing = () => maybe(0.001, () => (rng.chance(0.02 + 0.012 * a) ? '2' : '1'));
  const lognormal = (median: number, sigma: number, max: number) =>
    String(Math.round(clamp(Math.exp(Math.log(median) + sigma * rng.normal()), 3, max)));

  return [
    String(year),
    String(subscriberId),
    String(SIDO_CODES[rng.pick(SIDO_CUM)]),
    male ? '1' : '2',
    String(ageCode),
    height,
    weight,
    waist,
    sight(),
    sight(),
    hearing(),
    hearing(),
    sbp,
    dbp,
    glucose,
    tc,
    tg,
    hdl,
    ldl,
    maybe(0.002, () => fixed1(clamp((male ? 15.1 : 13.0) + 1.15 * rng.normal(), 5, 25))),
    maybe(0.005, () => String(rng.chance(0.94) ? 1 : 2 + Math.floor(rng.next() * rng.next() * 5))),
    maybe(0.002, () => fixed1(clamp((male ? 1.0 : 0.72) + 0.05 * a + 0.16 * rng.normal(), 0.1, 15))),
    maybe(0.002, () => lognormal(male ? 25 : 21, 0.33, 999)),
    maybe(0.002, () => lognormal(male ? 25 : 17, 0.55, 999)),
    maybe(0.002, () => lognormal(male ? 34 : 17, 0.7, 999)),
    smoking,
    drinking,
    oral ? '1' : '0',
    detail(0.6),
    detail(0.05),
    detail(0.05),
    detail(0.05),
    detail(0.6),
  ];
}
