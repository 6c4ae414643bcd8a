// Request schemas (zod) and the single place that turns zod issues into the contract's
// `details` (field → message). Types of validated input come from z.infer.
// Namespace import: lets the bundler drop zod's locales and unused checks (~70 KiB gzipped).
import * as z from 'zod';
import { RANGES, RISK_GROUPS, SMOKING_STATUSES } from '../risk/index.ts';
import type { ErrorDetails } from '../http/errors.ts';

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

const INT_FIELDS = Object.entries(RANGES) as [keyof typeof RANGES, readonly [number, number]][];

/**
 * simulateBodySchema's verdict on a /simulate body, taking the common case without zod: an object
 * whose fields are all integers in RANGES and whose smoking_status is one of SMOKING_STATUSES is
 * exactly what the schema accepts unchanged, and is returned as it is (its other keys are never
 * read). Anything else goes to the schema, so every message is the schema's own. Under workerd,
 * zod's parse of a valid body took about 20,000 instructions, twice what classifying and explaining
 * the person takes; this check takes a small fraction of that.
 */
export function parseSimulateBody(
  input: unknown,
): { success: true; data: SimulateBody } | { success: false; error: z.ZodError } {
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    let ok = (SMOKING_STATUSES as readonly unknown[]).includes(o.smoking_status);
    for (let i = 0; ok && i < INT_FIELDS.length; i++) {
      const [name, [lo, hi]] = INT_FIELDS[i]!;
      const v = o[name];
      ok = typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
    }
    if (ok) return { success: true, data: o as SimulateBody };
  }
  return simulateBodySchema.safeParse(input);
}

/** Persons per POST /simulate/batch request. */
export const BATCH_MAX_PERSONS = 1000;
/**
 * Body limit of POST /simulate/batch: 1 MiB. A realistic person is about 210 bytes of compact JSON
 * and 330 pretty-printed, so 1,000 of them take 210–330 KB; the rest is headroom for clients that
 * indent deeply or send their own fields (an id, a name) beside the measurements.
 */
export const BATCH_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The request of POST /simulate/batch as documented. The route checks the envelope itself and each
 * person as /simulate does, so one bad person is answered in its own item, not with a 400.
 */
export const simulateBatchBodySchema = z.object({
  persons: z
    .array(simulateBodySchema)
    .min(1)
    .max(BATCH_MAX_PERSONS)
    .describe(`1 to ${BATCH_MAX_PERSONS} bodies of POST /simulate; each is checked and scored on its own`),
});

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
const MAX_PAGE = 2_147_483_647;

export const recordsQuerySchema = z.object({
  page: intParam('page', 1, MAX_PAGE).default(1),
  limit: intParam('limit', 1, 100).default(20),
  age_group: intParam('age_group', RANGES.age_group[0], RANGES.age_group[1]).optional(),
  gender: intParam('gender', 1, 2).optional(),
  risk_group: z.enum(RISK_GROUPS, { error: `risk_group must be one of: ${RISK_GROUPS.join(', ')}` }).optional(),
});

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

// ---- Response bodies of docs/api.md, for the OpenAPI document (src/openapi.ts). The routes build
// these shapes; test/unit/openapi.test.ts checks real responses against them.

const count = () => z.number().int().min(0);
const riskGroup = z
  .enum(RISK_GROUPS)
  .describe('diabetes → CHD_RISK_EQUIVALENT; else ≥ 2 flags → MULTIPLE_RISK_FACTORS');
const ageGroup = z
  .number()
  .int()
  .min(RANGES.age_group[0])
  .max(RANGES.age_group[1])
  .describe('NHIS age group code (5-year bands)');
const gender = z.number().int().min(1).max(2).describe('1 = 남성 (male), 2 = 여성 (female)');
const createdAt = z.string().meta({ format: 'date-time', examples: ['2026-02-17T10:30:00Z'] });
const oneDecimal = (what: string) => z.number().describe(`${what}, one decimal`);

export const errorBodySchema = z.object({
  error: z.string().describe('Reason phrase, e.g. "Validation Error"'),
  message: z.string().describe('Human-readable text'),
  details: z.record(z.string(), z.string()).optional().describe('field → message (400 Validation Error, 422)'),
  request_id: z.string().optional().describe('Present on 500; also in X-Request-ID'),
});

export const indexBodySchema = z.object({ name: z.string(), endpoints: z.array(z.string()), docs: z.string() });
export const healthBodySchema = z.object({ status: z.literal('ok') });
const dependencyCheck = z.object({
  status: z.enum(['ok', 'down']),
  latency_ms: count(),
  error: z.string().optional().describe('Error name when down'),
});
export const deepHealthBodySchema = z.object({
  status: z.enum(['ok', 'degraded', 'unavailable']),
  checks: z.object({ database: dependencyCheck, cache: dependencyCheck }),
});

const recordFlags = z.object({
  hypertension: z.boolean(),
  diabetes: z.boolean(),
  high_tc: z.boolean(),
  high_tg: z.boolean(),
  low_hdl: z.boolean(),
  obesity: z.boolean(),
  smoking: z.boolean(),
});
export const recordSummarySchema = z.object({
  id: z.number().int().min(1),
  age_group: ageGroup,
  gender,
  bmi: oneDecimal('BMI'),
  risk_factor_count: z.number().int().min(0).max(7),
  risk_group: riskGroup,
  flags: recordFlags,
  created_at: createdAt,
});
export const recordListBodySchema = z.object({
  data: z.array(recordSummarySchema),
  pagination: z.object({
    page: z.number().int().min(1),
    limit: z.number().int().min(1).max(100),
    total_items: count(),
    total_pages: count(),
  }),
});
export const recordDetailBodySchema = z.object({
  id: z.number().int().min(1),
  age_group: ageGroup,
  age_display: z.string().meta({ examples: ['55-59세'] }),
  gender,
  gender_display: z.enum(['남성', '여성']),
  height: z.number(),
  weight: z.number(),
  bmi: oneDecimal('BMI'),
  systolic_bp: z.number(),
  diastolic_bp: z.number(),
  fasting_glucose: z.number(),
  total_cholesterol: z.number(),
  triglycerides: z.number(),
  hdl_cholesterol: z.number(),
  smoking_status: z.enum(SMOKING_STATUSES),
  risk_factor_count: z.number().int().min(0).max(7),
  risk_group: riskGroup,
  flags: recordFlags,
  rule_version: z.string(),
  inference_time_ms: count(),
  created_at: createdAt,
});

const groupShare = z.object({ count: count(), percentage: oneDecimal('Percent of valid records') });
export const riskStatsBodySchema = z.object({
  risk_distribution: z.object({
    ZERO_TO_ONE_RISK_FACTOR: groupShare,
    MULTIPLE_RISK_FACTORS: groupShare,
    CHD_RISK_EQUIVALENT: groupShare,
  }),
  total_records: count(),
  valid_records: count(),
  invalid_records: count(),
});
export const ageStatsBodySchema = z.object({
  age_distribution: z.array(
    z.object({
      age_group: ageGroup,
      age_display: z.string(),
      count: count(),
      percentage: oneDecimal('Percent of valid records'),
      avg_risk_factor_count: oneDecimal('Mean risk factor count'),
      high_risk_count: count().describe('CHD_RISK_EQUIVALENT records'),
    }),
  ),
  total_records: count().describe('Valid records'),
});

const simulateInput = z.object({
  age_group: ageGroup,
  age_display: z.string(),
  gender,
  gender_display: z.enum(['남성', '여성']),
  bmi: oneDecimal('BMI'),
});
const simulateResult = z.object({
  risk_factor_count: z.number().int().min(0).max(7),
  risk_group: riskGroup,
  flags: z.object({
    hypertension: z.boolean(),
    diabetes: z.boolean(),
    high_total_cholesterol: z.boolean(),
    high_triglycerides: z.boolean(),
    low_hdl: z.boolean(),
    obesity_asia: z.boolean(),
    smoking: z.boolean(),
  }),
  explanations: z.array(z.string()).describe('One line per true flag, in flag order'),
  rule_version: z.string(),
  inference_time_ms: count(),
});
export const simulateResponseSchema = z.object({
  input: simulateInput,
  result: simulateResult,
  disclaimer: z.string(),
});

const personIndex = z
  .number()
  .int()
  .min(0)
  .max(BATCH_MAX_PERSONS - 1)
  .describe('Position of the person in persons, from 0');
export const batchScoredSchema = z
  .object({
    index: personIndex,
    ok: z.literal(true),
    input: simulateInput,
    result: simulateResult,
    disclaimer: z.string(),
  })
  .describe('A scored person: index and ok, then exactly the body POST /simulate answers for that person');
export const batchRejectedSchema = z
  .object({
    index: personIndex,
    ok: z.literal(false),
    status: z.literal([400, 422]).describe('The status POST /simulate answers for this person'),
    error: errorBodySchema,
  })
  .describe(
    'A rejected person: index, ok and status, and in error exactly the body POST /simulate answers for that person',
  );
export const simulateBatchResponseSchema = z.object({
  results: z
    .array(z.union([batchScoredSchema, batchRejectedSchema]))
    .min(1)
    .max(BATCH_MAX_PERSONS)
    .describe('One item per person, in the order sent'),
  summary: z.object({
    total: count().describe('Persons sent'),
    scored: count().describe('Items with ok true'),
    rejected: count().describe('Items with ok false'),
  }),
});
