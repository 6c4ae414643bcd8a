// The wire contract of docs/api.md as one reusable suite: run in-process against createApp with
// fakes, and against the built bundle in a real Workers runtime on the local stack.
import { describe, expect, it } from 'vitest';
import { SIMULATE_EXAMPLE } from '../../src/contract/openapi.ts';

export type Send = (path: string, init?: RequestInit) => Promise<Response>;

export interface ContractTarget {
  send: Send;
  key: string;
  /** Over a network: a send on a connection of its own, for bodies the server refuses unread (413). */
  sendAlone?: Send;
}

const VALID_BODY = SIMULATE_EXAMPLE;

const RISK_GROUPS = ['ZERO_TO_ONE_RISK_FACTOR', 'MULTIPLE_RISK_FACTORS', 'CHD_RISK_EQUIVALENT'];
const FLAG_KEYS = ['hypertension', 'diabetes', 'high_tc', 'high_tg', 'low_hdl', 'obesity', 'smoking'];

export function describeContract(name: string, target: () => ContractTarget) {
  const get = (path: string, headers: Record<string, string> = {}) =>
    target().send(path, { headers: { 'X-API-KEY': target().key, ...headers } });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    target().send('/simulate', {
      method: 'POST',
      headers: { 'X-API-KEY': target().key, 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  const postBatch = (body: unknown, headers: Record<string, string> = {}) =>
    target().send('/simulate/batch', {
      method: 'POST',
      headers: { 'X-API-KEY': target().key, 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  async function expectError(res: Response, status: number, error: string, message?: string | RegExp) {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe(error);
    expect(typeof body.message).toBe('string');
    if (typeof message === 'string') expect(body.message).toBe(message);
    else if (message) expect(body.message).toMatch(message);
    expect(JSON.stringify(body)).not.toMatch(/\bat .+:\d+:\d+/); // never a stack trace
    return body;
  }

  describe(`API contract: ${name}`, () => {
    it('GET /health needs no key and carries the common headers', async () => {
      const res = await target().send('/health');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);
      expect(res.headers.get('x-response-time')).toMatch(/^\d+ms$/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('echoes a well-formed X-Request-ID', async () => {
      const res = await target().send('/health', { headers: { 'X-Request-ID': 'abc-123' } });
      expect(res.headers.get('x-request-id')).toBe('abc-123');
    });

    it('GET /health?deep=1 needs the key and reports database and cache', async () => {
      await expectError(await target().send('/health?deep=1'), 401, 'Unauthorized');
      const res = await get('/health?deep=1');
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        status: string;
        checks: Record<string, { status: string; latency_ms: number }>;
      };
      expect(body.checks.database!.status).toBe('ok');
      expect(body.checks.cache!.status).toBe('ok');
      expect(body.checks.database!.latency_ms).toBeGreaterThanOrEqual(0);
    });

    it('401 without a key, with a wrong key, for every protected endpoint', async () => {
      for (const path of ['/records', '/records/1', '/stats/risk', '/stats/age']) {
        await expectError(await target().send(path), 401, 'Unauthorized', 'Invalid or missing API key');
        await expectError(await target().send(path, { headers: { 'x-api-key': 'wrong' } }), 401, 'Unauthorized');
      }
      await expectError(
        await target().send('/simulate', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(VALID_BODY),
        }),
        401,
        'Unauthorized',
      );
    });

    it("one response's own headers never reach another response", async () => {
      // Each carries headers of its own (X-Cache; Allow; a request id), then /health must carry none of them.
      const stats = await get('/stats/risk', { 'X-Request-ID': 'first-id' });
      expect(stats.headers.get('x-cache')).toBeTruthy();
      const wrong = await target().send('/records', { method: 'DELETE', headers: { 'X-API-KEY': target().key } });
      expect(wrong.headers.get('allow')).toBe('GET');
      for (const res of [stats, wrong]) await res.arrayBuffer();
      const health = await target().send('/health');
      expect(health.headers.get('x-cache')).toBeNull();
      expect(health.headers.get('allow')).toBeNull();
      expect(health.headers.get('x-request-id')).not.toBe('first-id');
      expect(health.headers.get('x-content-type-options')).toBe('nosniff');
      expect(health.headers.get('content-type')).toBe('application/json; charset=utf-8');
      await health.arrayBuffer();
      // The shared headers stay per content type.
      const metrics = await get('/metrics');
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(metrics.headers.get('x-frame-options')).toBe('DENY');
      await metrics.arrayBuffer();
      expect((await target().send('/health')).headers.get('content-type')).toBe('application/json; charset=utf-8');
    });

    it('header names are case-insensitive', async () => {
      const res = await target().send('/stats/risk', { headers: { 'x-Api-KeY': target().key } });
      expect(res.status).toBe(200);
    });

    it('404 for an unknown path, with or without a key', async () => {
      await expectError(await target().send('/nope'), 404, 'Not Found', 'Endpoint not found');
      await expectError(await get('/nope'), 404, 'Not Found', 'Endpoint not found');
      await expectError(await get('/stats/unknown'), 404, 'Not Found', 'Endpoint not found');
    });

    it('405 for a wrong method on a known path', async () => {
      await expectError(
        await target().send('/simulate', { headers: { 'X-API-KEY': target().key } }),
        405,
        'Method Not Allowed',
      );
      const res = await target().send('/records', { method: 'DELETE', headers: { 'X-API-KEY': target().key } });
      await expectError(res, 405, 'Method Not Allowed');
      expect(res.headers.get('allow')).toBe('GET');
    });

    it('POST /simulate answers the example of docs/api.md exactly', async () => {
      const res = await post(VALID_BODY);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual({
        input: { age_group: 12, age_display: '55-59세', gender: 1, gender_display: '남성', bmi: 29.4 },
        result: {
          risk_factor_count: 7,
          risk_group: 'CHD_RISK_EQUIVALENT',
          flags: {
            hypertension: true,
            diabetes: true,
            high_total_cholesterol: true,
            high_triglycerides: true,
            low_hdl: true,
            obesity_asia: true,
            smoking: true,
          },
          explanations: [
            'Hypertension: SBP≥140 or DBP≥90 (152/96)',
            'Diabetes: fasting glucose≥126 (131)',
            'High TC: total cholesterol≥240 (255)',
            'High TG: triglycerides≥200 (210)',
            'Low HDL: hdl<40 (38)',
            'Obesity(Asia): BMI≥25 (29.4)',
            'Smoking: current smoker',
          ],
          rule_version: 'guideline-v1',
          // Measured; 0 inside Workers, where timers only advance across I/O.
          inference_time_ms: expect.any(Number),
        },
        disclaimer: 'This is NOT a diagnostic tool. Consult medical professionals for any health concerns.',
      });
    });

    it('400 Validation Error lists every failing field; a missing one says so', async () => {
      const { systolic_bp: _omit, ...missing } = VALID_BODY;
      const body = await expectError(
        await post({ ...missing, height: 120, weight: 'heavy', smoking_status: 'sometimes', gender: 1.5 }),
        400,
        'Validation Error',
        'Invalid input data',
      );
      expect(body.details).toEqual({
        systolic_bp: 'Field is required',
        height: 'Must be between 140 and 200',
        weight: 'Must be an integer',
        gender: 'Must be an integer',
        smoking_status: 'Must be one of: never, former, current',
      });
      const one = await expectError(await post({ ...VALID_BODY, systolic_bp: 300 }), 400, 'Validation Error');
      expect(one.details).toEqual({ systolic_bp: 'Must be between 70 and 250' });
    });

    it('400 for a body that is JSON but not an object', async () => {
      const body = await expectError(await post('[1,2]'), 400, 'Validation Error');
      expect(Object.keys(body.details as object).length).toBeGreaterThan(0);
    });

    it('422 when diastolic ≥ systolic', async () => {
      await expectError(await post({ ...VALID_BODY, systolic_bp: 120, diastolic_bp: 120 }), 422, 'Invalid Data');
    });

    it('400 for malformed JSON, 415 for a non-JSON Content-Type, 413 over 16 KiB', async () => {
      await expectError(await post('{"age_group": 12,'), 400, 'Bad Request', /Malformed JSON/);
      await expectError(
        await post(JSON.stringify(VALID_BODY), { 'Content-Type': 'text/plain' }),
        415,
        'Unsupported Media Type',
      );
      await expectError(
        await target().send('/simulate', {
          method: 'POST',
          headers: { 'X-API-KEY': target().key },
          body: JSON.stringify(VALID_BODY),
        }),
        415,
        'Unsupported Media Type',
      );
      await expectError(
        await (target().sendAlone ?? target().send)('/simulate', {
          method: 'POST',
          headers: { 'X-API-KEY': target().key, 'Content-Type': 'application/json' },
          body: JSON.stringify({ ...VALID_BODY, pad: 'x'.repeat(17 * 1024) }),
        }),
        413,
        'Payload Too Large',
      );
    });

    it('POST /simulate/batch answers each person in order, exactly as POST /simulate does', async () => {
      const persons = [
        VALID_BODY,
        { ...VALID_BODY, height: 120, smoking_status: 'sometimes' },
        {
          ...VALID_BODY,
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
        { ...VALID_BODY, systolic_bp: 120, diastolic_bp: 120 },
        'not a person',
      ];
      const res = await postBatch({ persons });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-request-id')).toMatch(/^[\w.:-]+$/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      const body = (await res.json()) as { results: Record<string, any>[]; summary: Record<string, number> };
      expect(body.summary).toEqual({ total: 5, scored: 2, rejected: 3 });
      expect(body.results.map((r) => [r.index, r.ok, r.status])).toEqual([
        [0, true, undefined],
        [1, false, 400],
        [2, true, undefined],
        [3, false, 422],
        [4, false, 400],
      ]);
      for (const [i, person] of persons.entries()) {
        const single = await post(JSON.stringify(person));
        const answer = (await single.json()) as Record<string, any>;
        const { index: _index, ok, status, error, ...scored } = body.results[i]!;
        if (ok) {
          expect(single.status).toBe(200);
          expect({ ...scored, result: { ...scored.result, inference_time_ms: 0 } }).toEqual({
            ...answer,
            result: { ...answer.result, inference_time_ms: 0 },
          });
        } else {
          expect(status).toBe(single.status);
          expect(error).toEqual(answer);
        }
      }
    });

    it('POST /simulate/batch: 400 for no persons, too many or no persons array; 401, 405, 413', async () => {
      const empty = await expectError(
        await postBatch({ persons: [] }),
        400,
        'Validation Error',
        'persons is empty: send 1 to 1000 persons',
      );
      expect(empty.details).toEqual({ persons: 'Must hold at least 1 person' });
      const many = await expectError(
        await postBatch({ persons: Array(1001).fill(VALID_BODY) }),
        400,
        'Validation Error',
        'persons holds 1001 persons: at most 1000 per request',
      );
      expect(many.details).toEqual({ persons: 'Must hold at most 1000 persons' });
      const most = await postBatch({ persons: Array(1000).fill(VALID_BODY) });
      expect(most.status).toBe(200);
      expect(((await most.json()) as { summary: unknown }).summary).toEqual({ total: 1000, scored: 1000, rejected: 0 });
      const shape = 'The body must be an object with a persons array of 1 to 1000 persons';
      expect((await expectError(await postBatch([VALID_BODY]), 400, 'Validation Error', shape)).details).toEqual({
        body: 'Must be an object with a persons array',
      });
      expect(
        (await expectError(await postBatch({ person: VALID_BODY }), 400, 'Validation Error', shape)).details,
      ).toEqual({ persons: 'Field is required' });
      await expectError(await postBatch('{"persons": ['), 400, 'Bad Request', /Malformed JSON/);
      await expectError(
        await target().send('/simulate/batch', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ persons: [VALID_BODY] }),
        }),
        401,
        'Unauthorized',
        'Invalid or missing API key',
      );
      const get = await target().send('/simulate/batch', { headers: { 'X-API-KEY': target().key } });
      expect(get.headers.get('allow')).toBe('POST');
      await expectError(get, 405, 'Method Not Allowed');
      await expectError(
        await (target().sendAlone ?? target().send)('/simulate/batch', {
          method: 'POST',
          headers: { 'X-API-KEY': target().key, 'Content-Type': 'application/json' },
          body: JSON.stringify({ persons: [VALID_BODY], pad: 'x'.repeat(1024 * 1024) }),
        }),
        413,
        'Payload Too Large',
        'Request body must not exceed 1048576 bytes',
      );
    });

    it('GET /records: shape, defaults and pagination', async () => {
      const res = await get('/records');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Record<string, unknown>[]; pagination: Record<string, number> };
      expect(body.pagination.page).toBe(1);
      expect(body.pagination.limit).toBe(20);
      expect(body.pagination.total_items).toBeGreaterThan(0);
      expect(body.pagination.total_pages).toBe(Math.ceil(body.pagination.total_items! / 20));
      expect(body.data.length).toBe(Math.min(20, body.pagination.total_items!));
      const first = body.data[0]!;
      expect(Object.keys(first)).toEqual([
        'id',
        'age_group',
        'gender',
        'bmi',
        'risk_factor_count',
        'risk_group',
        'flags',
        'created_at',
      ]);
      expect(Object.keys(first.flags as object)).toEqual(FLAG_KEYS);
      expect(first.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(typeof first.bmi).toBe('number');
      expect(RISK_GROUPS).toContain(first.risk_group);
      const ids = body.data.map((r) => r.id as number);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    });

    it('GET /records: filters, last page and past the end', async () => {
      const res = await get('/records?age_group=12&gender=2&risk_group=MULTIPLE_RISK_FACTORS&limit=5');
      const body = (await res.json()) as { data: Record<string, unknown>[]; pagination: Record<string, number> };
      expect(res.status).toBe(200);
      for (const r of body.data) {
        expect(r.age_group).toBe(12);
        expect(r.gender).toBe(2);
        expect(r.risk_group).toBe('MULTIPLE_RISK_FACTORS');
      }
      const { total_pages, total_items } = body.pagination;
      if (total_pages! > 0) {
        const last = (await (
          await get(`/records?age_group=12&gender=2&risk_group=MULTIPLE_RISK_FACTORS&limit=5&page=${total_pages}`)
        ).json()) as {
          data: unknown[];
        };
        expect(last.data.length).toBe(total_items! - (total_pages! - 1) * 5);
      }
      const past = (await (await get(`/records?limit=5&page=999999999`)).json()) as {
        data: unknown[];
        pagination: Record<string, number>;
      };
      expect(past.data).toEqual([]);
      expect(past.pagination.page).toBe(999999999);
      expect(past.pagination.total_items).toBeGreaterThan(0);
    });

    it('GET /records: every out-of-range or malformed parameter is a 400', async () => {
      for (const q of [
        'page=0',
        'page=-1',
        'page=abc',
        'page=1.5',
        'limit=0',
        'limit=101',
        'age_group=4',
        'age_group=19',
        'gender=3',
        'risk_group=LOW',
        'page=',
        'limit=1e2',
        'page=1&page=2',
      ]) {
        await expectError(await get(`/records?${q}`), 400, 'Bad Request');
      }
    });

    it('GET /records/{id}: detail shape, 400 for a bad id, 404 for an unknown one', async () => {
      const list = (await (await get('/records?limit=1')).json()) as { data: { id: number }[] };
      const id = list.data[0]!.id;
      const res = await get(`/records/${id}`);
      expect(res.status).toBe(200);
      const r = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(r)).toEqual([
        'id',
        'age_group',
        'age_display',
        'gender',
        'gender_display',
        'height',
        'weight',
        'bmi',
        'systolic_bp',
        'diastolic_bp',
        'fasting_glucose',
        'total_cholesterol',
        'triglycerides',
        'hdl_cholesterol',
        'smoking_status',
        'risk_factor_count',
        'risk_group',
        'flags',
        'rule_version',
        'inference_time_ms',
        'created_at',
      ]);
      expect(r.id).toBe(id);
      expect(r.rule_version).toBe('guideline-v1');
      expect(['never', 'former', 'current']).toContain(r.smoking_status);
      expect(['남성', '여성']).toContain(r.gender_display);
      for (const bad of ['0', '-1', 'abc', '1.5', '99999999999']) {
        await expectError(await get(`/records/${bad}`), 400, 'Bad Request');
      }
      await expectError(await get('/records/4000000000'), 404, 'Not Found', 'Record with id 4000000000 not found');
    });

    it('GET /stats/risk: all three groups, percentages of valid records', async () => {
      const res = await get('/stats/risk');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const body = (await res.json()) as {
        risk_distribution: Record<string, { count: number; percentage: number }>;
        total_records: number;
        valid_records: number;
        invalid_records: number;
      };
      expect(Object.keys(body.risk_distribution)).toEqual(RISK_GROUPS);
      const sum = Object.values(body.risk_distribution).reduce((s, g) => s + g.count, 0);
      expect(sum).toBe(body.valid_records);
      expect(body.valid_records + body.invalid_records).toBe(body.total_records);
      for (const g of Object.values(body.risk_distribution)) {
        expect(g.percentage).toBeCloseTo((g.count / body.valid_records) * 100, 1);
        expect(Number.isInteger(g.percentage * 10)).toBe(true);
      }
      expect(res.headers.get('server-timing')).toMatch(/total;dur=/);
    });

    it('GET /stats/age: ascending age groups of valid records', async () => {
      const res = await get('/stats/age');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { age_distribution: Record<string, number | string>[]; total_records: number };
      const ages = body.age_distribution.map((a) => a.age_group as number);
      expect([...ages].sort((a, b) => a - b)).toEqual(ages);
      expect(body.age_distribution.reduce((s, a) => s + (a.count as number), 0)).toBe(body.total_records);
      for (const a of body.age_distribution) {
        expect(Object.keys(a)).toEqual([
          'age_group',
          'age_display',
          'count',
          'percentage',
          'avg_risk_factor_count',
          'high_risk_count',
        ]);
        expect(a.age_display).toMatch(/^(\d+-\d+세|85세 이상)$/);
        expect(a.high_risk_count as number).toBeLessThanOrEqual(a.count as number);
      }
    });
  });
}
