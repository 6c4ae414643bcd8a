// POST /simulate/batch through the app with fakes: each item is exactly what POST /simulate
// answers for that person, in the order sent; the envelope's limits; auth, rate limit and headers.
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/app.ts';
import { RateLimiter, type RateLimitBackend } from '../../src/http/rate-limit.ts';
import { BATCH_MAX_BODY_BYTES, BATCH_MAX_PERSONS, simulateBodySchema } from '../../src/contract/schemas.ts';
import { fakeCache, fakeStore, type FakeCache, type FakeStore } from '../support/fakes.ts';
import { SIMULATE_EXAMPLE } from '../../src/contract/openapi.ts';

const KEY = 'batch-key';
const PERSON = SIMULATE_EXAMPLE;
const HEALTHY = {
  age_group: 8,
  gender: 2,
  height: 160,
  weight: 55,
  systolic_bp: 118,
  diastolic_bp: 76,
  fasting_glucose: 92,
  total_cholesterol: 190,
  triglycerides: 90,
  hdl_cholesterol: 60,
  smoking_status: 'never',
};

let store: FakeStore;
let cache: FakeCache;
let app: ReturnType<typeof createApp>;

beforeEach(() => {
  store = fakeStore();
  cache = fakeCache();
  app = createApp({ apiKeys: [KEY], store, cache, log: () => {} });
});
afterEach(() => vi.restoreAllMocks());

type Json = Record<string, any>;
const JSON_HEADERS = { 'X-API-KEY': KEY, 'Content-Type': 'application/json' };
const send = (path: string, body: unknown, headers: Record<string, string> = JSON_HEADERS, a = app) =>
  a.request(path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
const batch = (body: unknown, headers?: Record<string, string>) => send('/simulate/batch', body, headers);

/** What POST /simulate answers for one body: the status and the body, inference time zeroed. */
async function simulateAnswer(person: unknown): Promise<{ status: number; body: Json }> {
  const res = await send('/simulate', JSON.stringify(person));
  const body = (await res.json()) as Json;
  if (body.result) body.result.inference_time_ms = 0;
  return { status: res.status, body };
}

/** An item of the batch as the /simulate answer it stands for. */
function asAnswer(item: Json): { status: number; body: Json } {
  if (!item.ok) return { status: item.status, body: item.error };
  const { index: _i, ok: _o, ...body } = item;
  body.result = { ...body.result, inference_time_ms: 0 };
  return { status: 200, body };
}

async function expectRefused(res: Response, status: number, error: string, message: string, details?: Json) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  expect(await res.json()).toEqual({ error, message, ...(details ? { details } : {}) });
}

describe('POST /simulate/batch: items', () => {
  it('answers each person in the order sent, scored or refused exactly as POST /simulate', async () => {
    const { systolic_bp: _omit, ...missing } = PERSON;
    const persons = [
      PERSON,
      { ...PERSON, height: 120, weight: 'heavy', smoking_status: 'sometimes' }, // 400, several fields
      HEALTHY,
      { ...PERSON, systolic_bp: 120, diastolic_bp: 120 }, // 422
      missing, // 400, a missing field
      7, // not an object: 400 on body
      { ...HEALTHY, weight: 90, smoking_status: 'current', extra: 'ignored' },
    ];
    const res = await batch({ persons });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as Json;
    expect(Object.keys(body)).toEqual(['results', 'summary']);
    expect(body.results.map((r: Json) => r.index)).toEqual(persons.map((_, i) => i));
    expect(body.results.map((r: Json) => r.ok)).toEqual([true, false, true, false, false, false, true]);
    expect(body.results.map((r: Json) => r.status)).toEqual([undefined, 400, undefined, 422, 400, 400, undefined]);
    expect(body.summary).toEqual({ total: 7, scored: 3, rejected: 4 });
    for (const [i, person] of persons.entries())
      expect(asAnswer(body.results[i]), `person ${i}`).toEqual(await simulateAnswer(person));
    // The shapes, spelled out once.
    expect(Object.keys(body.results[0])).toEqual(['index', 'ok', 'input', 'result', 'disclaimer']);
    expect(Object.keys(body.results[1])).toEqual(['index', 'ok', 'status', 'error']);
    expect(body.results[1].error).toEqual({
      error: 'Validation Error',
      message: 'Invalid input data',
      details: {
        height: 'Must be between 140 and 200',
        weight: 'Must be an integer',
        smoking_status: 'Must be one of: never, former, current',
      },
    });
    expect(body.results[3].error).toEqual({
      error: 'Invalid Data',
      message: 'diastolic_bp must be lower than systolic_bp',
      details: { diastolic_bp: 'Must be lower than systolic_bp (120)' },
    });
    expect(body.results[4].error.details).toEqual({ systolic_bp: 'Field is required' });
    expect(Object.keys(body.results[5].error.details)).toEqual(['body']);
  });

  it('every item equals POST /simulate for any mix of persons (property)', async () => {
    const field = (lo: number, hi: number) =>
      fc.oneof(
        { weight: 12, arbitrary: fc.integer({ min: lo - 5, max: hi + 5 }) },
        { weight: 1, arbitrary: fc.jsonValue() },
      );
    const person = fc.oneof(
      {
        weight: 10,
        arbitrary: fc.record(
          {
            age_group: field(5, 18),
            gender: field(1, 2),
            height: field(140, 200),
            weight: field(30, 150),
            systolic_bp: field(70, 250),
            diastolic_bp: field(40, 150),
            fasting_glucose: field(50, 400),
            total_cholesterol: field(100, 400),
            triglycerides: field(30, 500),
            hdl_cholesterol: field(20, 100),
            smoking_status: fc.oneof(fc.constantFrom('never', 'former', 'current'), fc.string()),
          },
          {
            requiredKeys: ['age_group', 'gender', 'height', 'weight', 'systolic_bp', 'diastolic_bp', 'smoking_status'],
          },
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue() },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(person, { minLength: 1, maxLength: 12 }), async (persons) => {
        const body = (await (await batch({ persons })).json()) as Json;
        expect(body.results).toHaveLength(persons.length);
        for (const [i, p] of persons.entries()) {
          expect(body.results[i].index).toBe(i);
          expect(asAnswer(body.results[i])).toEqual(await simulateAnswer(p));
        }
        const scored = body.results.filter((r: Json) => r.ok).length;
        expect(body.summary).toEqual({ total: persons.length, scored, rejected: persons.length - scored });
      }),
      { numRuns: 150 },
    );
  });

  it("checks persons as /simulate does: valid ones on the fast path, the others by /simulate's one compiled schema", async () => {
    const parse = vi.spyOn(simulateBodySchema, 'safeParse');
    const bad = { ...PERSON, height: 1 };
    const res = await batch({ persons: [PERSON, HEALTHY, bad] });
    expect(res.status).toBe(200);
    expect(parse.mock.calls).toEqual([[bad]]);
    expect(store.calls).toEqual({});
    expect(cache.calls).toEqual({});
  });

  it('answers in ASCII: the Korean labels and ≥ as \\u escapes, the same strings once parsed', async () => {
    const text = await (await batch({ persons: [PERSON, { ...PERSON, height: 1 }] })).text();
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    expect(text).toContain('"age_display":"55-59\\uc138"');
    expect(text).toContain('"Hypertension: SBP\\u2265140 or DBP\\u226590 (152/96)"');
    const item = (JSON.parse(text) as Json).results[0];
    expect(item.input.age_display).toBe('55-59세');
    expect(item.input.gender_display).toBe('남성');
    expect(item.result.explanations[5]).toBe('Obesity(Asia): BMI≥25 (29.4)');
  });

  it('a batch of rejected persons only is still a 200, with every error', async () => {
    const res = await batch({ persons: [{}, null, []] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.summary).toEqual({ total: 3, scored: 0, rejected: 3 });
    expect(
      body.results.every((r: Json) => r.ok === false && r.status === 400 && r.error.error === 'Validation Error'),
    ).toBe(true);
  });
});

describe('POST /simulate/batch: the whole request', () => {
  const SHAPE = `The body must be an object with a persons array of 1 to ${BATCH_MAX_PERSONS} persons`;

  it(`takes 1 and ${BATCH_MAX_PERSONS} persons`, async () => {
    const one = (await (await batch({ persons: [PERSON] })).json()) as Json;
    expect(one.summary).toEqual({ total: 1, scored: 1, rejected: 0 });
    const persons = Array.from({ length: BATCH_MAX_PERSONS }, (_, i) => (i % 3 ? HEALTHY : PERSON));
    const res = await batch({ persons });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Json;
    expect(body.results).toHaveLength(BATCH_MAX_PERSONS);
    expect(body.results[BATCH_MAX_PERSONS - 1].index).toBe(BATCH_MAX_PERSONS - 1);
    expect(body.results.map((r: Json) => r.input.gender)).toEqual(persons.map((p) => p.gender));
    expect(body.summary).toEqual({ total: BATCH_MAX_PERSONS, scored: BATCH_MAX_PERSONS, rejected: 0 });
  });

  it('400 for no persons, and for one person too many', async () => {
    await expectRefused(
      await batch({ persons: [] }),
      400,
      'Validation Error',
      `persons is empty: send 1 to ${BATCH_MAX_PERSONS} persons`,
      { persons: 'Must hold at least 1 person' },
    );
    await expectRefused(
      await batch({ persons: Array(BATCH_MAX_PERSONS + 1).fill(PERSON) }),
      400,
      'Validation Error',
      `persons holds ${BATCH_MAX_PERSONS + 1} persons: at most ${BATCH_MAX_PERSONS} per request`,
      { persons: `Must hold at most ${BATCH_MAX_PERSONS} persons` },
    );
  });

  it('400 for a body that is not an object with a persons array', async () => {
    for (const body of ['[1,2]', 'null', '5', '"persons"', JSON.stringify([{ persons: [PERSON] }])]) {
      await expectRefused(await batch(body), 400, 'Validation Error', SHAPE, {
        body: 'Must be an object with a persons array',
      });
    }
    await expectRefused(await batch({ people: [PERSON] }), 400, 'Validation Error', SHAPE, {
      persons: 'Field is required',
    });
    for (const persons of [null, PERSON, 'all', 3]) {
      await expectRefused(await batch({ persons }), 400, 'Validation Error', SHAPE, { persons: 'Must be an array' });
    }
  });

  it('answers any JSON body with 200 or a 400 in the contract error body, never more (property)', async () => {
    const body = fc.oneof(
      fc.jsonValue(),
      fc.record({ persons: fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue(), { maxLength: 5 })) }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await batch(JSON.stringify(b));
        expect([200, 400]).toContain(res.status);
        const answer = (await res.json()) as Json;
        if (res.status === 200) expect(answer.summary.total).toBe((b as Json).persons.length);
        else {
          expect(answer.error).toBe('Validation Error');
          expect(Object.keys(answer.details)).toHaveLength(1);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('400 for malformed JSON, 415 for another content type', async () => {
    const res = await batch('{"persons": [');
    expect(res.status).toBe(400);
    expect(((await res.json()) as Json).message).toMatch(/^Malformed JSON/);
    await expectRefused(
      await batch({ persons: [PERSON] }, { 'X-API-KEY': KEY, 'Content-Type': 'text/csv' }),
      415,
      'Unsupported Media Type',
      'Content-Type must be application/json',
    );
  });

  it(`413 over ${BATCH_MAX_BODY_BYTES} bytes, whether declared or not; ${BATCH_MAX_PERSONS} indented persons fit`, async () => {
    const message = `Request body must not exceed ${BATCH_MAX_BODY_BYTES} bytes`;
    const over = JSON.stringify({ persons: [PERSON], pad: 'x'.repeat(BATCH_MAX_BODY_BYTES) });
    await expectRefused(await batch(over), 413, 'Payload Too Large', message);
    await expectRefused(
      await batch('{}', { ...JSON_HEADERS, 'Content-Length': String(BATCH_MAX_BODY_BYTES + 1) }),
      413,
      'Payload Too Large',
      message,
    );
    // Multi-byte text: the limit is in bytes, not characters.
    const wide = JSON.stringify({ persons: [{ ...PERSON, note: '가'.repeat(Math.ceil(BATCH_MAX_BODY_BYTES / 3)) }] });
    expect(wide.length).toBeLessThan(BATCH_MAX_BODY_BYTES);
    await expectRefused(await batch(wide), 413, 'Payload Too Large', message);
    // A realistic cohort, pretty-printed with 4 spaces and an id of the client's on each person.
    const cohort = JSON.stringify(
      { persons: Array.from({ length: BATCH_MAX_PERSONS }, (_, i) => ({ id: `patient-${100000 + i}`, ...PERSON })) },
      null,
      4,
    );
    expect(cohort.length * 2).toBeLessThan(BATCH_MAX_BODY_BYTES);
    expect((await batch(cohort)).status).toBe(200);
    // /simulate keeps its own 16 KiB limit.
    expect((await send('/simulate', { ...PERSON, pad: 'x'.repeat(17 * 1024) })).status).toBe(413);
  });

  it('needs the key: 401 without it or with a wrong one, before the body is read', async () => {
    await expectRefused(
      await batch({ persons: [PERSON] }, { 'Content-Type': 'application/json' }),
      401,
      'Unauthorized',
      'Invalid or missing API key',
    );
    await expectRefused(
      await batch({ persons: [] }, { 'X-API-KEY': 'wrong', 'Content-Type': 'application/json' }),
      401,
      'Unauthorized',
      'Invalid or missing API key',
    );
  });

  it('405 with Allow: POST for another method', async () => {
    const res = await app.request('/simulate/batch', { headers: { 'X-API-KEY': KEY } });
    await expectRefused(res.clone(), 405, 'Method Not Allowed', 'Method not allowed; use POST');
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('carries the common headers', async () => {
    const res = await batch({ persons: [PERSON] }, { ...JSON_HEADERS, 'X-Request-ID': 'cohort-1' });
    expect(res.headers.get('x-request-id')).toBe('cohort-1');
    expect(res.headers.get('x-response-time')).toMatch(/^\d+ms$/);
    expect(res.headers.get('server-timing')).toMatch(/total;dur=/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('one request counts once against the rate limit, however many persons it carries', async () => {
    const backend: RateLimitBackend = {
      hit: async (_id, _hits, rule) => ({ remaining: rule.limit, resetAt: Date.now() + rule.windowMs }),
    };
    const rateLimiter = new RateLimiter({
      backend,
      defaultRule: { limit: 3, windowMs: 60_000 },
      perKey: new Map(),
      syncEveryMs: 1e9,
    });
    const limited = createApp({ apiKeys: [KEY], store, cache, rateLimiter, log: () => {} });
    const persons = Array(50).fill(PERSON);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await send('/simulate/batch', { persons }, JSON_HEADERS, limited);
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await send('/simulate/batch', { persons }, JSON_HEADERS, limited);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('is counted in /metrics under its own route', async () => {
    await batch({ persons: [PERSON] });
    const text = await (await app.request('/metrics', { headers: { 'X-API-KEY': KEY } })).text();
    expect(text).toContain('http_requests_total{route="/simulate/batch",method="POST",status="200"} 1');
  });
});
