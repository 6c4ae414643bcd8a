// The OpenAPI 3.1 document of the API (served at /openapi.json, rendered at /docs), generated
// with z.toJSONSchema from the same zod schemas that validate requests; built once per isolate.
// Namespace import: lets the bundler drop zod's locales and unused checks (~70 KiB gzipped).
import * as z from 'zod';
import { MAX_BODY_BYTES } from '../http/json-body.ts';
import * as s from './schemas.ts';

type Json = Record<string, unknown>;
const REF = '#/components/schemas/';
const ref = (name: string) => ({ $ref: REF + name });

/** Drops what z.toJSONSchema adds for standalone use: `$schema`, `$id` and ±2^53 integer bounds. */
function clean<T>(node: T): T {
  if (Array.isArray(node)) node.forEach(clean);
  else if (node && typeof node === 'object') {
    const o = node as Json;
    delete o.$schema;
    delete o.$id;
    if (o.minimum === Number.MIN_SAFE_INTEGER) delete o.minimum;
    if (o.maximum === Number.MAX_SAFE_INTEGER) delete o.maximum;
    Object.values(o).forEach(clean);
  }
  return node;
}

const SIMULATE_UNITS: Record<string, string> = {
  age_group: '5 = 20-24세 … 18 = 85세 이상',
  gender: '1 = 남성 (male), 2 = 여성 (female)',
  height: 'cm',
  weight: 'kg',
  systolic_bp: 'mmHg',
  diastolic_bp: 'mmHg; must be below systolic_bp (else 422)',
  fasting_glucose: 'mg/dL',
  total_cholesterol: 'mg/dL',
  triglycerides: 'mg/dL',
  hdl_cholesterol: 'mg/dL',
  smoking_status: '"current" counts as a risk factor',
};
/** The contract's example person (docs/api.md#post-simulate): the tests send it too. */
export const SIMULATE_EXAMPLE = {
  age_group: 12,
  gender: 1,
  height: 165,
  weight: 80,
  systolic_bp: 152,
  diastolic_bp: 96,
  fasting_glucose: 131,
  total_cholesterol: 255,
  triglycerides: 210,
  hdl_cholesterol: 38,
  smoking_status: 'current',
};
/** Request examples by request schema: the batch's second person is refused (400), the others scored. */
const EXAMPLES: Record<string, unknown> = {
  SimulateRequest: SIMULATE_EXAMPLE,
  SimulateBatchRequest: {
    persons: [
      SIMULATE_EXAMPLE,
      { ...SIMULATE_EXAMPLE, height: 120 },
      {
        ...SIMULATE_EXAMPLE,
        age_group: 8,
        gender: 2,
        weight: 55,
        systolic_bp: 118,
        diastolic_bp: 76,
        fasting_glucose: 92,
        total_cholesterol: 190,
        triglycerides: 90,
        hdl_cholesterol: 60,
        smoking_status: 'never',
      },
    ],
  },
};

function componentSchemas(): Record<string, Json> {
  const uri = (id: string) => REF + id;
  const input = z
    .registry<{ id: string }>()
    .add(s.simulateBodySchema, { id: 'SimulateRequest' })
    .add(s.simulateBatchBodySchema, { id: 'SimulateBatchRequest' });
  const output = z.registry<{ id: string }>();
  const bodies = {
    Error: s.errorBodySchema,
    Index: s.indexBodySchema,
    Health: s.healthBodySchema,
    DeepHealth: s.deepHealthBodySchema,
    RecordSummary: s.recordSummarySchema,
    RecordList: s.recordListBodySchema,
    RecordDetail: s.recordDetailBodySchema,
    RiskStats: s.riskStatsBodySchema,
    AgeStats: s.ageStatsBodySchema,
    SimulateResponse: s.simulateResponseSchema,
    SimulateBatchResponse: s.simulateBatchResponseSchema,
    SimulateBatchScored: s.batchScoredSchema,
    SimulateBatchRejected: s.batchRejectedSchema,
  };
  for (const [id, schema] of Object.entries(bodies)) output.add(schema, { id });
  const schemas = {
    ...z.toJSONSchema(input, { uri, io: 'input' }).schemas,
    ...z.toJSONSchema(output, { uri, io: 'output' }).schemas,
  } as Record<string, Json>;
  const props = schemas.SimulateRequest!.properties as Record<string, Json>;
  for (const [name, text] of Object.entries(SIMULATE_UNITS)) props[name]!.description = text;
  return clean(schemas);
}

/** Query parameters of GET /records from recordsQuerySchema: the ranges come from its output side. */
function recordsParams(): Json[] {
  const docs: Record<string, string> = { page: 'Past the last page: empty data, correct totals', limit: 'Page size' };
  return Object.entries(s.recordsQuerySchema.shape).map(([name, field]) => {
    const wire = z.toJSONSchema(field, { io: 'input' });
    const schema = clean(z.toJSONSchema(field, { io: 'output' })) as Json;
    // On the wire these are digit strings (intParam's regex), so the value is an integer.
    if (schema.type === 'number' && String(wire.pattern).startsWith('^[0-9]')) schema.type = 'integer';
    return { name, in: 'query', required: false, schema, ...(docs[name] ? { description: docs[name] } : {}) };
  });
}

function idParam(): Json {
  const schema = clean(z.toJSONSchema(s.recordIdSchema, { io: 'output' })) as Json;
  // recordIdSchema's regex (^[1-9][0-9]*) admits positive integers only.
  return { name: 'id', in: 'path', required: true, schema: { ...schema, type: 'integer', minimum: 1 } };
}

const header = (description: string, type = 'string') => ({ description, schema: { type } });
const HEADERS = {
  'X-Request-ID': header('Echoed if well-formed, else a new UUID'),
  'X-Response-Time': header('e.g. 3ms'),
  'Server-Timing': header('db, cache and total durations'),
  'X-Cache': header('HIT-L1, HIT-L2, MISS or STALE'),
  'Retry-After': header('Seconds', 'integer'),
  Allow: header('Accepted method'),
  'X-RateLimit-Limit': header('Requests per window', 'integer'),
  'X-RateLimit-Remaining': header('Left in this window', 'integer'),
  'X-RateLimit-Reset': header('Window end, Unix seconds', 'integer'),
};
type HeaderName = keyof typeof HEADERS;
const headerRefs = (names: HeaderName[]) =>
  Object.fromEntries(names.map((n) => [n, { $ref: `#/components/headers/${n}` }]));
const COMMON: HeaderName[] = ['X-Request-ID', 'X-Response-Time'];

const ERRORS = {
  400: ['BadRequest', 'Bad Request, or Validation Error with details (field → message)'],
  401: ['Unauthorized', 'Invalid or missing API key'],
  404: ['NotFound', 'Not Found'],
  405: ['MethodNotAllowed', 'Method Not Allowed'],
  413: ['PayloadTooLarge', `Body over ${MAX_BODY_BYTES} bytes`],
  415: ['UnsupportedMediaType', 'Content-Type is not JSON'],
  422: ['InvalidData', 'Invalid Data (diastolic_bp ≥ systolic_bp)'],
  429: ['TooManyRequests', 'Rate limit exceeded'],
  500: ['InternalError', 'Internal Server Error (with request_id)'],
  503: ['ServiceUnavailable', 'Database down and nothing cached'],
} as const;
type Status = keyof typeof ERRORS;
const ERROR_HEADERS: Partial<Record<Status, HeaderName[]>> = {
  405: ['Allow'],
  429: ['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
  503: ['Retry-After'],
};

function errorResponses(): Json {
  return Object.fromEntries(
    Object.entries(ERRORS).map(([status, [name, description]]) => [
      name,
      {
        description,
        headers: headerRefs([...COMMON, ...(ERROR_HEADERS[Number(status) as Status] ?? [])]),
        content: { 'application/json': { schema: ref('Error') } },
      },
    ]),
  );
}

interface Op {
  id: string;
  tag: string;
  summary: string;
  description?: string;
  key: 'yes' | 'no' | 'optional';
  params?: Json[];
  body?: string;
  ok: [string | string[] | null, string];
  errors: Status[];
  media?: string;
  /** Responses that differ from the shared error responses. */
  own?: Json;
}

const bodySchema = (names: string | string[] | null) =>
  !names ? { type: 'object' } : typeof names === 'string' ? ref(names) : { anyOf: names.map(ref) };

function operation(o: Op): Json {
  const content = o.media
    ? { [o.media]: { schema: { type: 'string' } } }
    : { 'application/json': { schema: bodySchema(o.ok[0]) } };
  const extra: HeaderName[] =
    o.tag === 'stats' ? ['Server-Timing', 'X-Cache'] : o.tag === 'records' ? ['Server-Timing'] : [];
  const responses: Json = { 200: { description: o.ok[1], headers: headerRefs([...COMMON, ...extra]), content } };
  for (const st of o.errors) responses[st] = { $ref: `#/components/responses/${ERRORS[st][0]}` };
  Object.assign(responses, o.own);
  return {
    operationId: o.id,
    tags: [o.tag],
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    security: o.key === 'yes' ? [{ ApiKey: [] }] : o.key === 'optional' ? [{}, { ApiKey: [] }] : [],
    ...(o.params ? { parameters: o.params } : {}),
    ...(o.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(o.body), example: EXAMPLES[o.body] } },
          },
        }
      : {}),
    responses,
  };
}

const HTML = 'text/html; charset=utf-8';
const DATA: Status[] = [401, 405, 429, 500, 503];
const deepParam = {
  name: 'deep',
  in: 'query',
  required: false,
  schema: { type: 'string', examples: ['1'] },
  description: 'Non-empty: also check database and cache (needs X-API-KEY)',
};

function build(): Json {
  const get = (o: Op) => ({ get: operation(o) });
  return {
    openapi: '3.1.0',
    info: {
      title: 'NHIS risk-factor API',
      version: '0.1.0',
      description:
        'Risk-factor profiles of Korean NHIS health-screening records (rule_version guideline-v1). ' +
        'Every endpoint except /, /health, /demo, /docs and /openapi.json needs the X-API-KEY header. ' +
        'Errors share one body: {error, message, details?, request_id?}. Not a diagnostic tool.',
    },
    servers: [{ url: '/' }],
    security: [{ ApiKey: [] }],
    tags: ['records', 'stats', 'simulate', 'service', 'pages'].map((name) => ({ name })),
    paths: {
      '/': get({
        id: 'index',
        tag: 'service',
        summary: 'Service name and endpoint list',
        key: 'no',
        ok: ['Index', 'Index'],
        errors: [500],
      }),
      '/health': get({
        id: 'health',
        tag: 'service',
        summary: 'Liveness; with deep=1 also database and cache',
        key: 'optional',
        params: [deepParam],
        description: 'Plain: {"status":"ok"}, touches nothing. Deep: DeepHealth.',
        ok: [['Health', 'DeepHealth'], 'Alive'],
        errors: DATA,
        own: {
          503: {
            description: 'Deep check: the database is down',
            headers: headerRefs([...COMMON, 'Retry-After']),
            content: { 'application/json': { schema: ref('DeepHealth') } },
          },
        },
      }),
      '/records': get({
        id: 'listRecords',
        tag: 'records',
        summary: 'Valid records, ordered by id, paginated and filtered',
        key: 'yes',
        params: recordsParams(),
        ok: ['RecordList', 'One page of records'],
        errors: [400, ...DATA],
      }),
      '/records/{id}': get({
        id: 'getRecord',
        tag: 'records',
        summary: 'One record with its measurements and flags',
        key: 'yes',
        params: [idParam()],
        ok: ['RecordDetail', 'The record'],
        errors: [400, 404, ...DATA],
      }),
      '/stats/risk': get({
        id: 'riskStats',
        tag: 'stats',
        summary: 'Records per risk group (cached 60 s)',
        key: 'yes',
        ok: ['RiskStats', 'Risk distribution'],
        errors: DATA,
      }),
      '/stats/age': get({
        id: 'ageStats',
        tag: 'stats',
        summary: 'Records per age group, ascending (cached 60 s)',
        key: 'yes',
        ok: ['AgeStats', 'Age distribution'],
        errors: DATA,
      }),
      '/simulate': {
        post: operation({
          id: 'simulate',
          tag: 'simulate',
          summary: 'Classify one set of measurements (pure computation, no database)',
          description:
            'The answer is ASCII: characters beyond it (the Korean labels, ≥) come as JSON \\u escapes, the same strings once parsed.',
          key: 'yes',
          body: 'SimulateRequest',
          ok: ['SimulateResponse', 'Flags, explanations and risk group'],
          errors: [400, 401, 405, 413, 415, 422, 429, 500],
        }),
      },
      '/simulate/batch': {
        post: operation({
          id: 'simulateBatch',
          tag: 'simulate',
          summary: `Classify 1 to ${s.BATCH_MAX_PERSONS} persons in one request (pure computation, no database)`,
          key: 'yes',
          description:
            'Each person is checked and classified exactly as POST /simulate does it: a scored item is ' +
            '{index, ok: true} followed by the body /simulate answers for that person; a person /simulate would refuse ' +
            'is {index, ok: false, status: 400 or 422, error: the error body /simulate answers}, and the other persons are ' +
            'still scored. Items come in the order sent. The whole request is refused (400 Validation Error) only when the ' +
            `body is not an object with a persons array of 1 to ${s.BATCH_MAX_PERSONS} persons. A path of its own, not a ` +
            'second body shape on /simulate, so that /simulate keeps its contract (one body, one result, its 16 KiB limit) ' +
            'and the batch has its own limits. One request counts once against the rate limit. The answer is ASCII: ' +
            'characters beyond it (the Korean labels, ≥) come as JSON \\u escapes, the same strings once parsed.',
          body: 'SimulateBatchRequest',
          ok: ['SimulateBatchResponse', 'One item per person, in order, and a summary'],
          errors: [400, 401, 405, 415, 429, 500],
          own: {
            413: {
              description: `Body over ${s.BATCH_MAX_BODY_BYTES} bytes (1 MiB)`,
              headers: headerRefs(COMMON),
              content: { 'application/json': { schema: ref('Error') } },
            },
          },
        }),
      },
      '/metrics': get({
        id: 'metrics',
        tag: 'service',
        summary: 'Counters and latency histograms (Prometheus text format)',
        key: 'yes',
        ok: [null, 'Metrics'],
        errors: [401, 429, 500],
        media: 'text/plain; version=0.0.4; charset=utf-8',
      }),
      '/demo': get({
        id: 'demo',
        tag: 'pages',
        summary: 'Interactive demo page',
        key: 'no',
        ok: [null, 'HTML page'],
        errors: [405],
        media: HTML,
      }),
      '/docs': get({
        id: 'docs',
        tag: 'pages',
        summary: 'This document, rendered',
        key: 'no',
        ok: [null, 'HTML page'],
        errors: [405],
        media: HTML,
      }),
      '/openapi.json': get({
        id: 'openapi',
        tag: 'pages',
        summary: 'This document',
        key: 'no',
        ok: [null, 'OpenAPI 3.1 document'],
        errors: [405],
      }),
    },
    components: {
      schemas: componentSchemas(),
      responses: errorResponses(),
      headers: HEADERS,
      securitySchemes: {
        ApiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-KEY',
          description: 'A key from the API_KEYS configuration',
        },
      },
    },
  };
}

let doc: Json | undefined;
let json: string | undefined;
/** The document, built on first use and kept for the life of the isolate. */
export const openApiDocument = (): Json => (doc ??= build());
export const openApiJson = (): string => (json ??= JSON.stringify(openApiDocument()));
