// k6-style thresholds, scenario stages, durations, traffic mixes, the loopback guard and the
// lookup of the previous report: the pure parts of the load tests.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { previousReport, reportId, stamp } from '../../load-tests/history.ts';
import { parseDuration, planStages, SCENARIO_NAMES, SCENARIOS, thresholdsOf } from '../../load-tests/scenarios.ts';
import { isLoopback } from '../../load-tests/target.ts';
import { evaluate, parseExpression, passed, type ScopeFigures } from '../../load-tests/thresholds.ts';
import { thresholdName } from '../../load-tests/report/render.ts';
import { buildTraffic, endpointOf } from '../../load-tests/traffic.ts';

const scope = (latencies: number[], failed = 0, durationS = 10): ScopeFigures => ({
  latencies,
  responses: latencies.length,
  attempts: latencies.length,
  failed,
  durationS,
});

describe('thresholds', () => {
  it('parses k6 expressions', () => {
    expect(parseExpression('p(95)<100')).toEqual({ agg: 'p', q: 95, op: '<', target: 100 });
    expect(parseExpression('rate==0')).toEqual({ agg: 'rate', op: '==', target: 0 });
    expect(parseExpression(' value <= 1.5 ')).toEqual({ agg: 'value', op: '<=', target: 1.5 });
    expect(() => parseExpression('p95 < 100')).toThrow(/Unknown threshold expression/);
  });

  it('evaluates duration, failure rate and throughput per scope', () => {
    const all = scope(
      Array.from({ length: 100 }, (_, i) => i + 1),
      1,
    );
    const results = evaluate(
      [
        { metric: 'http_req_duration', expression: 'p(95)<100' },
        { metric: 'http_req_duration', expression: 'p(99)<99' },
        { metric: 'http_req_failed', expression: 'rate<0.001' },
        { metric: 'http_reqs', expression: 'rate>=10' },
        { metric: 'http_req_duration', stage: 'spike', expression: 'avg<5' },
        { metric: 'http_req_duration', stage: 'nope', expression: 'avg<5' },
      ],
      { scope: (stage) => (stage === 'spike' ? scope([2, 4, 6]) : stage ? null : all), values: {} },
    );
    expect(results.map((r) => r.pass)).toEqual([true, false, false, true, true, null]);
    expect(results[0]!.actual).toBe(95);
    expect(results[2]!.actual).toBe(0.01);
    expect(results[5]!.note).toBe("no such stage 'nope'");
    expect(passed(results)).toBe(false);
  });

  it('reports a value it cannot compute instead of failing on it', () => {
    const [r] = evaluate([{ metric: 'db_statements_per_invalidation', expression: 'value<=6' }], {
      scope: () => null,
      values: { db_statements_per_invalidation: 'GET /metrics answered 500' },
    });
    expect(r).toMatchObject({ pass: null, actual: null, note: 'GET /metrics answered 500' });
    expect(passed([r!])).toBe(true);
  });

  it('counts responses of one status, and failures other than a 503 with Retry-After', () => {
    const f: ScopeFigures = { ...scope([1, 2, 3, 4]), status: { 200: 2, 500: 1, 503: 1 }, unexpectedFailures: 1 };
    const results = evaluate(
      [
        { metric: 'http_status_500', expression: 'count==0' },
        { metric: 'http_status_502', expression: 'count==0' },
        { metric: 'http_status_503', expression: 'count<=1' },
        { metric: 'http_unexpected_failures', expression: 'count==0' },
        { metric: 'http_status_500', expression: 'rate==0' },
      ],
      { scope: () => f, values: {} },
    );
    expect(results.map((r) => [r.actual, r.pass])).toEqual([
      [1, false],
      [0, true],
      [1, true],
      [1, false],
      [null, null],
    ]);
    expect(results[4]!.note).toBe('rate is not defined for http_status_500');
    const [unknown] = evaluate([{ metric: 'http_status_500', expression: 'count==0' }], {
      scope: () => scope([1]),
      values: {},
    });
    expect(unknown).toMatchObject({ pass: null, note: 'status codes not recorded' });
  });

  it('names thresholds the k6 way', () => {
    expect(thresholdName({ metric: 'http_req_duration', stage: 'spike', expression: 'p(95)<500' })).toBe(
      'http_req_duration{stage:spike} p(95)<500',
    );
  });
});

describe('scenarios', () => {
  it('every scenario has stages, traffic and thresholds that parse', () => {
    for (const name of SCENARIO_NAMES) {
      const s = SCENARIOS[name];
      expect(s.stages.reduce((a, st) => a + st.share, 0)).toBeCloseTo(1);
      for (const t of thresholdsOf(s, 3000)) expect(() => parseExpression(t.expression)).not.toThrow();
    }
  });

  it('plans the spike in whole seconds', () => {
    expect(planStages(SCENARIOS.spike, 30, 5)).toEqual([
      { label: 'baseline', connections: 5, durationS: 6 },
      { label: 'spike', connections: 100, durationS: 12 },
      { label: 'recovery', connections: 5, durationS: 12 },
    ]);
  });

  it('parses durations', () => {
    expect([parseDuration('30s'), parseDuration('45'), parseDuration('10m'), parseDuration('1h')]).toEqual([
      30, 45, 600, 3600,
    ]);
    expect(() => parseDuration('0.5s')).toThrow(/at least 1s/);
    expect(() => parseDuration('soon')).toThrow(/30s, 5m or 1h/);
  });
});

describe('traffic', () => {
  const facts = { lastPage: 3408, totalItems: 68144, ids: [3, 7, 11] };

  it('is deterministic and follows the mixed weights', () => {
    const a = buildTraffic('mixed', facts, 'k');
    expect(buildTraffic('mixed', facts, 'k')).toEqual(a);
    const w = Object.fromEntries(a.weights.map((x) => [x.endpoint, x.weight]));
    expect(w['POST /simulate']).toBeGreaterThan(25);
    expect(w['GET /health']).toBeLessThan(10);
    expect(a.requests.every((r) => r.path === '/health' || r.headers?.['x-api-key'] === 'k')).toBe(true);
  });

  it('smoke touches every endpoint, the last page included', () => {
    const t = buildTraffic('every-endpoint', facts, 'k');
    expect(new Set(t.requests.map(endpointOf))).toEqual(
      new Set([
        'GET /health',
        'POST /simulate',
        'GET /stats/risk',
        'GET /stats/age',
        'GET /records',
        'GET /records/:id',
      ]),
    );
    expect(t.requests.some((r) => r.path === '/records?page=3408')).toBe(true);
  });
});

describe('targets and reports', () => {
  it('only loopback addresses count as local', () => {
    expect(['http://127.0.0.1:8787', 'http://localhost:1', 'http://[::1]:8787'].map(isLoopback)).toEqual([
      true,
      true,
      true,
    ]);
    expect(['https://api.example.com', 'http://10.0.0.1', 'not a url'].map(isLoopback)).toEqual([false, false, false]);
  });

  it('names reports by UTC time and finds the previous one of the same scenario', async () => {
    const date = new Date('2026-11-22T02:55:01.123Z');
    expect(stamp(date)).toBe('20261122-025501');
    expect(reportId(date, 'smoke')).toBe('20261122-025501-smoke');
    const dir = await mkdtemp(join(tmpdir(), 'load-reports-'));
    const report = (id: string, scenario: string) =>
      writeFile(join(dir, `${id}.json`), JSON.stringify({ schemaVersion: 1, scenario, id }));
    await report('20261122-010000-smoke', 'smoke');
    await report('20261122-020000-smoke', 'smoke');
    await report('20261122-023000-spike', 'spike');
    await writeFile(join(dir, '20261122-024000-smoke.json'), '{ broken');
    expect((await previousReport('smoke', '20261122-025501-smoke', dir))?.id).toBe('20261122-020000-smoke');
    expect(await previousReport('smoke', '20261122-010000-smoke', dir)).toBeNull();
  });
});
