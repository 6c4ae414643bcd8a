// POST /simulate: pure computation at the edge, never touches the database or the cache.
// checkPerson and measurementsOf are shared with POST /simulate/batch, which checks and classifies
// each of its persons the same way.
import { Hono } from 'hono';
import {
  RULE_VERSION,
  ageDisplay,
  classify,
  explain,
  genderDisplay,
  type GenderCode,
  type Measurements,
} from '../risk/index.ts';
import { issuesToDetails, parseSimulateBody, type SimulateBody } from '../contract/schemas.ts';
import { invalidData, onlyAllows, validationError, type ApiError } from '../http/errors.ts';
import { readJsonBody } from '../http/json-body.ts';
import type { AppEnv } from '../http/hono-env.ts';
import { json } from '../http/respond.ts';

export const DISCLAIMER = 'This is NOT a diagnostic tool. Consult medical professionals for any health concerns.';

/** A /simulate body that passed every check, or the error /simulate answers for it. */
export type Checked = { ok: true; body: SimulateBody } | { ok: false; error: ApiError };

/** The checks of /simulate: the schema (400 with every failing field), then diastolic < systolic (422). */
export function checkPerson(input: unknown): Checked {
  const parsed = parseSimulateBody(input);
  if (!parsed.success) return { ok: false, error: validationError(issuesToDetails(parsed.error)) };
  const b = parsed.data;
  if (b.diastolic_bp >= b.systolic_bp) {
    return {
      ok: false,
      error: invalidData('diastolic_bp must be lower than systolic_bp', {
        diastolic_bp: `Must be lower than systolic_bp (${b.systolic_bp})`,
      }),
    };
  }
  return { ok: true, body: b };
}

export function measurementsOf(b: SimulateBody): Measurements {
  return {
    height: b.height,
    weight: b.weight,
    systolicBp: b.systolic_bp,
    diastolicBp: b.diastolic_bp,
    fastingGlucose: b.fasting_glucose,
    totalCholesterol: b.total_cholesterol,
    triglycerides: b.triglycerides,
    hdlCholesterol: b.hdl_cholesterol,
    smoking: b.smoking_status,
  };
}

export function simulateRoutes(auth: ReturnType<typeof import('../http/auth.ts').apiKeyAuth>) {
  return new Hono<AppEnv>()
    .post('/simulate', auth, async (c) => {
      const t0 = performance.now();
      const checked = checkPerson(await readJsonBody(c));
      if (!checked.ok) throw checked.error;
      const b = checked.body;
      const m = measurementsOf(b);
      const r = classify(m);
      const gender = b.gender as GenderCode;
      return json(c, {
        input: {
          age_group: b.age_group,
          age_display: ageDisplay(b.age_group),
          gender,
          gender_display: genderDisplay(gender),
          bmi: r.bmi,
        },
        result: {
          risk_factor_count: r.riskFactorCount,
          risk_group: r.riskGroup,
          flags: {
            hypertension: r.flags.hypertension,
            diabetes: r.flags.diabetes,
            high_total_cholesterol: r.flags.highTc,
            high_triglycerides: r.flags.highTg,
            low_hdl: r.flags.lowHdl,
            obesity_asia: r.flags.obesity,
            smoking: r.flags.smoking,
          },
          explanations: explain(m, r),
          rule_version: RULE_VERSION,
          inference_time_ms: Math.round(performance.now() - t0),
        },
        disclaimer: DISCLAIMER,
      });
    })
    .all('/simulate', onlyAllows('POST'));
}
