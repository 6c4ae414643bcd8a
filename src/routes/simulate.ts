// POST /simulate: pure computation at the edge, never touches the database or the cache. Its answer
// is ASCII JSON (simulate-answer.ts).
// checkPerson and measurementsOf are shared with POST /simulate/batch, which checks and classifies
// each of its persons the same way.
import { Hono } from 'hono';
import { classify, explain, type Measurements } from '../risk/index.ts';
import { issuesToDetails, parseSimulateBody, type SimulateBody } from '../contract/schemas.ts';
import { invalidData, validationError, type ApiError } from '../http/errors.ts';
import type { RouteKit } from '../http/request-context.ts';
import { readJsonBody } from '../http/json-body.ts';
import type { AppEnv } from '../http/hono-env.ts';
import { JSON_TYPE, respond } from '../http/respond.ts';
import { answerMembers, answerText } from './simulate-answer.ts';

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

export function simulateRoutes(kit: RouteKit) {
  return new Hono<AppEnv>().post(
    '/simulate',
    kit.keyed(async (c) => {
      const t0 = performance.now();
      const checked = checkPerson(await readJsonBody(c));
      if (!checked.ok) throw checked.error;
      const b = checked.body;
      const m = measurementsOf(b);
      const r = classify(m);
      const t = answerText();
      const lines = explain(m, r, t.explanations);
      const members = answerMembers(t, b, r, lines, Math.round(performance.now() - t0));
      return respond(c, `{${members}}`, 200, JSON_TYPE);
    }),
  );
}
