// Deterministic inputs for the benchmarks and the load tests, drawn from the ETL's synthetic NHIS
// generator so they look like the real data (ranges, missing cells, share of invalid rows): source
// rows, the valid rows' measurements, and valid /simulate bodies.
import { synthRow } from '../etl/generate/generator-model.ts';
import { createRng } from '../etl/generate/prng.ts';
import { SOURCE_COLUMNS } from '../etl/schema/columns.ts';
import { checkRow, type Measurements, type SourceFields } from '../src/risk/index.ts';
import type { SimulateBody } from '../src/contract/schemas.ts';

/** The generator seed of every input (and of bench/micro's CSV lines). */
export const INPUTS_SEED = 'bench';
const at = (name: string) => SOURCE_COLUMNS.findIndex(([, c]) => c === name);
const COL = {
  ageGroup: at('age_group_code'),
  gender: at('gender_code'),
  height: at('height'),
  weight: at('weight'),
  systolicBp: at('systolic_bp'),
  diastolicBp: at('diastolic_bp'),
  fastingGlucose: at('fasting_glucose'),
  totalCholesterol: at('total_cholesterol'),
  triglycerides: at('triglycerides'),
  hdlCholesterol: at('hdl_cholesterol'),
  smokingCode: at('smoking_status'),
} as const;

const num = (cell: string | undefined) => (cell === undefined || cell.trim() === '' ? null : Number(cell));

/** `n` source rows as the rules engine sees them (about a third valid, as in the real data). */
export function sourceRows(n: number): SourceFields[] {
  const rng = createRng(INPUTS_SEED);
  return Array.from({ length: n }, (_, i) => {
    const cells = synthRow(rng, i + 1, 2024);
    const f = {} as SourceFields;
    for (const [k, c] of Object.entries(COL)) f[k as keyof SourceFields] = num(cells[c]);
    return f;
  });
}

/** The valid rows' measurements (what `classify` receives), with their age and gender. */
export function validRows(n: number): { ageGroup: number; gender: 1 | 2; measurements: Measurements }[] {
  const out: { ageGroup: number; gender: 1 | 2; measurements: Measurements }[] = [];
  for (const row of sourceRows(n * 4)) {
    const c = checkRow(row);
    if (c.valid) out.push({ ageGroup: c.ageGroup, gender: c.gender, measurements: c.measurements });
    if (out.length === n) break;
  }
  return out;
}

/** `n` valid /simulate bodies. */
export function simulateBodies(n: number): SimulateBody[] {
  return validRows(n).map(({ ageGroup, gender, measurements: m }) => ({
    age_group: ageGroup,
    gender,
    height: m.height,
    weight: m.weight,
    systolic_bp: m.systolicBp,
    diastolic_bp: m.diastolicBp,
    fasting_glucose: m.fastingGlucose,
    total_cholesterol: m.totalCholesterol,
    triglycerides: m.triglycerides,
    hdl_cholesterol: m.hdlCholesterol,
    smoking_status: m.smoking,
  }));
}
