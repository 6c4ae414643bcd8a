// Property-based tests (fast-check, 10,000 cases each): whatever a client sends, the API answers
// only with statuses docs/api.md#errors allows, never 500, and every error body has the
// contract's shape.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createApp } from '../../src/app.ts';
import { fakeCache, fakeStore } from '../support/fakes.ts';

const RUNS = 10_000;
const app = createApp({ apiKeys: ['key-1'], store: fakeStore(), cache: fakeCache(), log: () => {} });

async function expectContract(res: Response, allowed: number[]) {
  expect(allowed).toContain(res.status);
  expect(res.headers.get('x-request-id')).toBeTruthy();
  if (res.status >= 400) {
    const body = (await res.json()) as Record<string, unknown>;
    expect(typeof body.error).toBe('string');
    expect(typeof body.message).toBe('string');
    if (body.details !== undefined) {
      expect(typeof body.details).toBe('object');
      for (const v of Object.values(body.details as object)) expect(typeof v).toBe('string');
    }
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
  } else {
    await res.arrayBuffer();
  }
}

const FIELDS = {
  age_group: [5, 18],
  gender: [1, 2],
  height: [140, 200],
  weight: [30, 150],
  systolic_bp: [70, 250],
  diastolic_bp: [40, 150],
  fasting_glucose: [50, 400],
  total_cholesterol: [100, 400],
  triglycerides: [30, 500],
  hdl_cholesterol: [20, 100],
} as const;

/** Mostly-plausible values around the ranges, plus any JSON at all. */
const fieldValue = (lo: number, hi: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: lo - 20, max: hi + 20 }) },
    { weight: 1, arbitrary: fc.double({ noNaN: false }) },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const simulateBody = fc.record(
  {
    ...Object.fromEntries(Object.entries(FIELDS).map(([k, [lo, hi]]) => [k, fieldValue(lo, hi)])),
    smoking_status: fc.oneof(fc.constantFrom('never', 'former', 'current'), fc.string(), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

describe('property: POST /simulate', () => {
  it('answers 200, 400 or 422 with a contract body, for any JSON body', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 8, arbitrary: simulateBody }, { weight: 1, arbitrary: fc.jsonValue() }),
        async (body) => {
          const res = await app.request('/simulate', {
            method: 'POST',
            headers: { 'X-API-KEY': 'key-1', 'Content-Type': 'application/json' },
            body: JSON.stringify(body) ?? 'null',
          });
          await expectContract(res, [200, 400, 422]);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('answers 400/401/413/415 for any raw body and headers, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.option(
          fc.constantFrom(
            'application/json',
            'text/plain',
            'application/json; charset=utf-8',
            'multipart/form-data',
            '',
          ),
        ),
        fc.option(fc.constantFrom('key-1', 'key-2', '', 'KEY-1')),
        async (body, contentType, key) => {
          const headers: Record<string, string> = {};
          if (contentType !== null) headers['Content-Type'] = contentType;
          if (key !== null) headers['X-API-KEY'] = key;
          const res = await app.request('/simulate', { method: 'POST', headers, body });
          await expectContract(res, [200, 400, 401, 413, 415, 422]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

const paramValue = fc.oneof(
  fc.integer({ min: -5, max: 120 }).map(String),
  fc.constantFrom(
    '',
    '1e2',
    '0x10',
    '1.5',
    ' 3',
    '99999999999999999999',
    'ZERO_TO_ONE_RISK_FACTOR',
    'MULTIPLE_RISK_FACTORS',
    'CHD_RISK_EQUIVALENT',
  ),
  fc.string({ maxLength: 12 }),
);

describe('property: GET /records', () => {
  it('answers 200 or 400 with a contract body, for any query string', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('page', 'limit', 'age_group', 'gender', 'risk_group', 'other'), paramValue), {
          maxLength: 6,
        }),
        async (pairs) => {
          const qs = new URLSearchParams(pairs).toString();
          const res = await app.request(`/records?${qs}`, { headers: { 'X-API-KEY': 'key-1' } });
          await expectContract(res, [200, 400]);
          if (res.status === 200) {
            const again = await app.request(`/records?${qs}`, { headers: { 'X-API-KEY': 'key-1' } });
            const body = (await again.json()) as { data: unknown[]; pagination: { limit: number } };
            expect(body.data.length).toBeLessThanOrEqual(body.pagination.limit);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('any path id and any headers: 200, 400, 401 or 404, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: -10, max: 1000 }).map(String), fc.string({ maxLength: 15 }).map(encodeURIComponent)),
        fc.dictionary(
          fc.constantFrom('x-api-key', 'x-request-id', 'accept', 'x-forwarded-for', 'origin'),
          fc.string({ maxLength: 40 }).filter((v) => /^[\x20-\x7e]*$/.test(v)),
        ),
        async (id, headers) => {
          const res = await app.request(`/records/${id}`, { headers });
          await expectContract(res, [200, 400, 401, 404]);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
