// Request schemas (zod) and the single place that turns zod issues into the contract's
// `details` (field → message). Types of validated input come from z.infer.
import { z } from 'zod';
import { RANGES, RISK_GROUPS, SMOKING_STATUSES } from './risk/index.ts';
import type { ErrorDetails } from './http/errors.ts';

const between = ([lo, hi]: readonly [number, number]) => `Must be between ${lo} and ${hi}`;

/** An integer field of the /simulate body with the contract's messages. */
function intField(range: readonly [number, number]) {
  return z
    .number({ error: (iss) => (iss.input === undefined ? 'Field is required' : 'Must be an integer') })
    .int({ error: 'Must be an integer' })
    .min(range[0], { error: between(range) })
    .max(range[1], { error: between(range) });
}

export const simulateBodySchema = z.object({
  age_group: intField(RANGES.age_group),
  gender: intField(RANGES.gender),
  height: intField(RANGES.height),
  weight: intField(RANGES.weight),
  systolic_bp: intField(RANGES.systolic_bp),
  diastolic_bp: intField(RANGES.diastolic_bp),
  fasting_glucose: intField(RANGES.fasting_glucose),
  total_cholesterol: intField(RANGES.total_cholesterol),
  triglycerides: intField(RANGES.triglycerides),
  hdl_cholesterol: intField(RANGES.hdl_cholesterol),
  smoking_status: z.enum(SMOKING_STATUSES, {
    error: (iss) => (iss.input === undefined ? 'Field is required' : `Must be one of: ${SMOKING_STATUSES.join(', ')}`),
  }),
});
export type SimulateBody = z.infer<typeof simulateBodySchema>;

/** A query parameter that must be a plain decimal integer in a range. */
function intParam(name: string, lo: number, hi: number) {
  const msg = `${name} must be an integer between ${lo} and ${hi}`;
  const base = z
    .string({ error: msg })
    .regex(/^[0-9]{1,10}$/, { error: msg })
    .transform(Number)
    .pipe(z.number().min(lo, { error: msg }).max(hi, { error: msg }));
  return base;
}

/** Highest page accepted; past the last page the answer is an empty page, not an error. */
export const MAX_PAGE = 2_147_483_647;

export const recordsQuerySchema = z.object({
  page: intParam('page', 1, MAX_PAGE).default(1),
  limit: intParam('limit', 1, 100).default(20),
  age_group: intParam('age_group', RANGES.age_group[0], RANGES.age_group[1]).optional(),
  gender: intParam('gender', 1, 2).optional(),
  risk_group: z.enum(RISK_GROUPS, { error: `risk_group must be one of: ${RISK_GROUPS.join(', ')}` }).optional(),
});
export type RecordsQuery = z.infer<typeof recordsQuerySchema>;

export const recordIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/)
  .transform(Number)
  .pipe(z.number().max(4_294_967_295));

/** field → first message, for every failing field (zod may report several per field). */
export function issuesToDetails(error: z.ZodError): ErrorDetails {
  const details: ErrorDetails = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.map(String).join('.') : 'body';
    details[key] ??= issue.message;
  }
  return details;
}
