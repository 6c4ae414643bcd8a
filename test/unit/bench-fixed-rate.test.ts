// The fixed-rate steps of the bench: planned from the same run's saturation figures, judged
// against the ceiling at the same rate, rendered only when they ran. Pure parts only; the steps
// themselves are timed by `npm run bench`, never by a test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FIXED_RATE_ACCEPTANCE,
  type FixedRateResult,
  type FixedRateStep,
  fixedRateVerdicts,
  latencyRatio,
  planFixedRate,
  stepRatios,
  unheldSteps,
} from '../../bench/report/fixed-rate.ts';
import {
  fixedRateChartFile,
  fixedRateCharts,
  fixedRateLines,
  renderFixedRate,
} from '../../bench/report/fixed-rate-section.ts';
import { render, renderCharts } from '../../bench/report/render.ts';
import type { PerformanceResult } from '../../bench/report/types.ts';
import { verdicts } from '../../bench/report/verdicts.ts';
import type { OpenLoopResult } from '../../loadkit/http/open-loop.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'bench', 'report', 'fixtures');
const fixture = () => JSON.parse(readFileSync(join(FIXTURES, 'performance.json'), 'utf8')) as PerformanceResult;

function loop(rate: number, p99: number, p999: number, over: Partial<OpenLoopResult> = {}): OpenLoopResult {
  const latency = { p50: p99 / 4, p90: p99 / 2, p99, p999, max: p999 * 2 };
  return {
    requestedRate: rate,
    achievedRate: rate,
    held: true,
    sent: rate * 3,
    completed: rate * 3,
    failed: 0,
    errors: 0,
    latency,
    service: latency,
    maxSendLagMs: 0.5,
    stalls: [],
    stalledMs: 0,
    window: { from: 0, to: 10_000 },
    ...over,
  };
}

/** Each endpoint's p99 = k × the ceiling's (1 ms), p99.9 = 2k × the ceiling's (2 ms). */
function result(k: Record<string, number>, over: (id: string, share: number, s: FixedRateStep) => void = () => {}) {
  const fixed: FixedRateResult = {
    runtime: 'workerd',
    warmupS: 1,
    durationS: 3,
    shares: [0.25, 0.5, 0.75, 0.9],
    endpoints: [
      ['simulate', 'POST /simulate', 4000],
      ['stats-risk', 'GET /stats/risk (cached)', 6000],
      ['stats-age', 'GET /stats/age (cached)', 6000],
    ].map(([id, label, rps]) => ({
      id: id as string,
      label: label as string,
      saturationRps: rps as number,
      steps: [0.25, 0.5, 0.75, 0.9].map((share) => {
        const rate = Math.round(share * (rps as number));
        const s: FixedRateStep = {
          share,
          rate,
          endpoint: loop(rate, k[id as string] ?? 1, 2 * (k[id as string] ?? 1) * 2),
          ceiling: loop(rate, 1, 2),
          loadAvg1: 1,
        };
        over(id as string, share, s);
        return s;
      }),
    })),
  };
  return fixed;
}

describe('planFixedRate', () => {
  it('steps each fixed-rate endpoint at its shares of the rate it saturated at, rounded to whole req/s', () => {
    const plan = planFixedRate([
      { id: 'health', label: 'GET /health', rps: 9000 },
      { id: 'stats-age', label: 'GET /stats/age (cached)', rps: 5003 },
      { id: 'simulate', label: 'POST /simulate', rps: 3999.6 },
    ]);
    expect(plan.map((p) => p.id)).toEqual(['simulate', 'stats-age']);
    expect(plan[0]!.steps).toEqual([
      { share: 0.25, rate: 1000 },
      { share: 0.5, rate: 2000 },
      { share: 0.75, rate: 3000 },
      { share: 0.9, rate: 3600 },
    ]);
    expect(plan[1]!.steps.map((s) => s.rate)).toEqual([1251, 2502, 3752, 4503]);
    expect(plan[1]!.saturationRps).toBe(5003);
  });

  it('plans nothing for an endpoint that was not measured or saturated at no rate', () => {
    expect(planFixedRate([{ id: 'simulate', label: 'POST /simulate', rps: 0 }])).toEqual([]);
    expect(planFixedRate([])).toEqual([]);
    expect(planFixedRate([{ id: 'stats-risk', label: 'x', rps: 2 }], [0.1])[0]!.steps).toEqual([
      { share: 0.1, rate: 1 },
    ]);
  });
});

describe('ratios to the ceiling at the same rate', () => {
  it('divides the endpoint by the ceiling, and says n/a without a ceiling figure', () => {
    expect(latencyRatio(3, 1.5)).toBe(2);
    expect(latencyRatio(3, 0)).toBeNull();
    expect(latencyRatio(3, undefined)).toBeNull();
    const step: FixedRateStep = {
      share: 0.5,
      rate: 100,
      endpoint: loop(100, 3, 12),
      ceiling: loop(100, 2, 3),
      loadAvg1: 0,
    };
    expect(stepRatios(step)).toEqual({ p99: 1.5, p999: 4 });
    expect(stepRatios({ ...step, ceiling: null })).toEqual({ p99: null, p999: null });
  });
});

describe('fixed-rate verdicts', () => {
  const byCriterion = (fixed: FixedRateResult) =>
    Object.fromEntries(fixedRateVerdicts(fixed).map((v) => [v.criterion, v]));

  it('adds nothing when the run had no fixed-rate steps', () => {
    expect(fixedRateVerdicts(undefined)).toEqual([]);
    expect(fixedRateVerdicts(null)).toEqual([]);
    const names = verdicts(fixture()).map((v) => v.criterion);
    expect(names.some((n) => n.includes('fixed rate') || n.includes('fixed-rate'))).toBe(false);
  });

  it('passes at the bounds and fails just over them, judged at 50 % only', () => {
    // p99 = 2 × the ceiling's, p99.9 = 4 ×: on the bounds. Much worse at 90 % does not count.
    const ok = result({ simulate: 2, 'stats-risk': 1, 'stats-age': 1 }, (_, share, s) => {
      if (share === 0.9) s.endpoint = loop(s.rate, 50, 500);
    });
    const v = fixedRateVerdicts(ok);
    expect(v).toHaveLength(7);
    expect(v.every((x) => x.pass === true)).toBe(true);
    const sim =
      byCriterion(ok)["POST /simulate p99 ≤ 2 × the ceiling's at the same fixed rate (50 % of its saturating rate)"]!;
    expect(sim.measured).toBe('2.00 ms ÷ 1.00 ms = 2.00 at 2,000 req/s');

    const over = fixedRateVerdicts(result({ simulate: 2.01, 'stats-risk': 1, 'stats-age': 1 }));
    expect(over.filter((x) => x.pass === false).map((x) => x.criterion)).toEqual([
      "POST /simulate p99 ≤ 2 × the ceiling's at the same fixed rate (50 % of its saturating rate)",
      "POST /simulate p99.9 ≤ 4 × the ceiling's at the same fixed rate (50 % of its saturating rate)",
    ]);
    expect(FIXED_RATE_ACCEPTANCE).toEqual({ share: 0.5, p99Ratio: 2, p999Ratio: 4 });
  });

  it('judges p99.9 on its own bound', () => {
    const fixed = result({ simulate: 1, 'stats-risk': 1, 'stats-age': 1 }, (id, _share, s) => {
      if (id === 'stats-age') s.endpoint = loop(s.rate, 1.5, 9); // p99 1.5 ×, p99.9 4.5 ×
    });
    const failed = fixedRateVerdicts(fixed).filter((v) => v.pass === false);
    expect(failed.map((v) => v.criterion)).toEqual([
      "cached GET /stats/age p99.9 ≤ 4 × the ceiling's at the same fixed rate (50 % of its saturating rate)",
    ]);
    expect(failed[0]!.measured).toBe('9.00 ms ÷ 2.00 ms = 4.50 at 3,000 req/s');
  });

  it('a step with failed requests or a rate not held cannot pass, and says why', () => {
    const fixed = result({ simulate: 1, 'stats-risk': 1, 'stats-age': 1 }, (id, share, s) => {
      if (id === 'simulate' && share === 0.5) s.endpoint = loop(s.rate, 1, 2, { failed: 3 });
      if (id === 'stats-risk' && share === 0.5) s.ceiling = loop(s.rate, 1, 2, { held: false, achievedRate: 2000 });
    });
    const v = byCriterion(fixed);
    const sim = v["POST /simulate p99 ≤ 2 × the ceiling's at the same fixed rate (50 % of its saturating rate)"]!;
    expect(sim.pass).toBe(false);
    expect(sim.measured).toContain('(3 failed requests)');
    const risk =
      v["cached GET /stats/risk p99 ≤ 2 × the ceiling's at the same fixed rate (50 % of its saturating rate)"]!;
    expect(risk.pass).toBe(false);
    expect(risk.measured).toContain('the ceiling did not hold the rate');
  });

  it('lists every step that did not hold its rate, endpoint or ceiling', () => {
    const fixed = result({ simulate: 1, 'stats-risk': 1, 'stats-age': 1 }, (id, share, s) => {
      if (id === 'simulate' && share === 0.9)
        s.endpoint = loop(s.rate, 1, 2, { held: false, achievedRate: 3000, note: 'achieved 3000 req/s' });
      if (id === 'stats-age' && share === 0.75) s.ceiling = null;
    });
    expect(unheldSteps(fixed)).toEqual([
      'POST /simulate 90 % (3600 req/s): achieved 3000 req/s',
      'ceiling beside GET /stats/age (cached) 75 % (4500 req/s): not measured',
    ]);
    const held = fixedRateVerdicts(fixed).at(-1)!;
    expect(held.criterion).toBe('each fixed-rate step held its rate within 5 %');
    expect(held.pass).toBe(false);
    expect(held.measured).toBe(
      '22 of 24 held; not held: POST /simulate 90 % (3600 req/s): achieved 3000 req/s; ceiling beside GET /stats/age (cached) 75 % (4500 req/s): not measured',
    );
    expect(fixedRateVerdicts(result({})).at(-1)).toMatchObject({ pass: true, measured: '24 of 24 held' });
  });

  it('says not measured for an endpoint without steps', () => {
    const fixed = result({});
    fixed.endpoints = fixed.endpoints.filter((e) => e.id !== 'stats-risk');
    const missing = fixedRateVerdicts(fixed).filter((v) => v.pass === null);
    expect(missing.map((v) => v.criterion)).toEqual([
      "cached GET /stats/risk p99 ≤ 2 × the ceiling's at the same fixed rate (50 % of its saturating rate)",
      "cached GET /stats/risk p99.9 ≤ 4 × the ceiling's at the same fixed rate (50 % of its saturating rate)",
    ]);
  });
});

describe('fixed-rate section', () => {
  it('renders nothing, and no chart, for a result without steps, so older reports are unchanged', () => {
    expect(renderFixedRate(undefined)).toBe('');
    expect(fixedRateCharts(undefined)).toEqual({});
    expect(fixedRateLines(undefined)).toEqual([]);
    expect(render(fixture())).not.toContain('fixed offered load');
    expect(Object.keys(renderCharts(fixture()))).toEqual(['performance-rps.svg', 'performance-p99.svg']);
  });

  it('renders a table per endpoint with the ceiling and the ratios, the chart, and the steps not held', () => {
    const fixed = result({ simulate: 1.5, 'stats-risk': 1, 'stats-age': 1 }, (id, share, s) => {
      if (id === 'stats-risk' && share === 0.9)
        s.endpoint = loop(s.rate, 1, 2, { held: false, achievedRate: 4800.5, note: 'achieved 4800.5 req/s' });
    });
    const md = renderFixedRate(fixed);
    expect(md.startsWith('## HTTP: latency at a fixed offered load (plain workerd)\n')).toBe(true);
    expect(md.endsWith('\n\n')).toBe(true);
    expect(md).toContain('25 %, 50 %, 75 %, 90 % of the rate it saturated at');
    expect(md).toContain('### POST /simulate (saturated at 4,000 req/s)');
    expect(md).toContain(
      '| step | requested req/s | achieved | held | p50 | p99 | p99.9 | ceiling achieved | ceiling held | ceiling p50 | ceiling p99 | ceiling p99.9 | p99 ÷ ceiling | p99.9 ÷ ceiling |',
    );
    // 50 % of /simulate: p99 1.5 ms against 1 ms, p99.9 6 ms against 2 ms.
    expect(md).toContain(
      '| 50 % | 2,000 | 2,000 | yes | 0.38 ms | 1.50 ms | 6.00 ms | 2,000 | yes | 0.25 ms | 1.00 ms | 2.00 ms | 1.50 | 3.00 |',
    );
    expect(md).toContain('| 90 % | 5,400 | 4,801 | **no** |');
    expect(md).toContain('**Not held:** GET /stats/risk (cached) 90 % (5400 req/s): achieved 4800.5 req/s.');
    expect(md).toContain(`![POST /simulate: latency at a fixed offered load](${fixedRateChartFile('simulate')})`);
    // `failed` counts every failed request, those without a response (`errors`) among them.
    const failing = result({}, (id, share, s) => {
      if (id === 'stats-age' && share === 0.25) s.endpoint = loop(s.rate, 1, 2, { failed: 4, errors: 1 });
    });
    expect(renderFixedRate(failing)).toContain(
      'Failed requests: GET /stats/age (cached) at 25 %: 4 of 4,500 requests failed (1 without a response).',
    );
    expect(fixedRateLines(failing).find((l) => l.includes('(4 failed)'))).toBeDefined();
    // Why requests got no response, when the generator knows it.
    const reset = result({}, (id, share, s) => {
      if (id === 'simulate' && share === 0.25)
        s.endpoint = loop(s.rate, 1, 2, {
          failed: 3,
          errors: 3,
          errorKinds: { 'closed, new connection': 1, 'ECONNRESET, reused connection': 2 },
        });
    });
    expect(renderFixedRate(reset)).toContain(
      'POST /simulate at 25 %: 3 of 3,000 requests failed (3 without a response: ECONNRESET, reused connection 2, closed, new connection 1).',
    );
    expect(fixedRateVerdicts(failing).every((v) => v.pass)).toBe(true); // judged at 50 % only

    const full = render({ ...fixture(), fixedRate: fixed });
    expect(full).toContain(`${md}## Instructions per response (plain workerd under callgrind)`);
    expect(full).toContain("| cached GET /stats/age p99 ≤ 2 × the ceiling's at the same fixed rate");
  });

  it('draws one latency-vs-load chart per endpoint: endpoint and ceiling, p99 and p99.9, over the offered rate', () => {
    const charts = fixedRateCharts(result({ simulate: 3 }));
    expect(Object.keys(charts)).toEqual([
      'performance-fixed-rate-simulate.svg',
      'performance-fixed-rate-stats-risk.svg',
      'performance-fixed-rate-stats-age.svg',
    ]);
    const svg = charts['performance-fixed-rate-simulate.svg']!;
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    for (const name of ['endpoint p99', 'endpoint p99.9', 'ceiling p99', 'ceiling p99.9'])
      expect(svg).toContain(`>${name}<`);
    expect(svg.match(/<polyline /g)).toHaveLength(4);
    expect(svg.match(/<circle /g)).toHaveLength(16);
    expect(svg).toContain('offered requests per second');
    expect(Object.keys(renderCharts({ ...fixture(), fixedRate: result({}) }))).toContain(
      'performance-fixed-rate-stats-age.svg',
    );
    expect(fixedRateCharts(result({ simulate: 3 }))).toEqual(charts); // pure
  });

  it('prints one line per step with the ceiling beside it', () => {
    const lines = fixedRateLines(result({ simulate: 2 }));
    expect(lines).toHaveLength(1 + 3 * 5);
    expect(lines[1]).toBe('  POST /simulate (saturated at 4000 req/s):');
    expect(lines[3]).toContain('50 %   2000 req/s →    2000 held');
    expect(lines[3]).toContain('p99 ×2.00  p99.9 ×4.00');
  });
});
