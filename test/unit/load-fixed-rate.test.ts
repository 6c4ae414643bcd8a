// The fixed-rate scenario's pure parts: how --duration becomes probes and steps, the step rates,
// the values its thresholds read and their verdicts, and its report section and charts.
import { describe, expect, it } from 'vitest';
import { fixedRateValues, planFixedRate, stepRates } from '../../load-tests/fixed-rate.ts';
import { endpointSlug, fixedRateChartFiles, fixedRateCharts } from '../../load-tests/report/fixed-rate.ts';
import { chartFiles, chartFilesOf, render, renderCharts, thresholdName } from '../../load-tests/report/render.ts';
import type { FixedRateReport, FixedRateStep, LoadTestResult } from '../../load-tests/report/types.ts';
import { FIXED_RATE, SCENARIOS } from '../../load-tests/scenarios.ts';
import { evaluate, passed } from '../../load-tests/thresholds.ts';

const scenario = SCENARIOS['fixed-rate'];

function step(share: number, requestedRate: number, p99: number, held = true): FixedRateStep {
  return {
    share,
    requestedRate,
    achievedRate: held ? requestedRate : Math.round(requestedRate * 0.8),
    held,
    ...(held ? {} : { note: 'achieved less than requested' }),
    sent: requestedRate * 4,
    completed: requestedRate * 4,
    failed: 0,
    latency: { p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 2, max: p99 * 3 },
    service: { p50: 1, p90: 2, p99: 3, p999: 4, max: 5 },
    maxSendLagMs: 1.5,
  };
}

function report(over: { simulateP99AtHalf?: number; heldAt90?: boolean } = {}): FixedRateReport {
  const steps = (sat: number, p99AtHalf: number, heldAt90 = true) =>
    stepRates(sat, FIXED_RATE.shares).map((rate, i) =>
      step(FIXED_RATE.shares[i]!, rate, i === 1 ? p99AtHalf : 5 * (i + 1), i === 3 ? heldAt90 : true),
    );
  return {
    probe: { durationS: 3, connections: 50 },
    step: { warmupS: 1, durationS: 4 },
    tolerance: 0.05,
    endpoints: [
      {
        endpoint: 'POST /simulate',
        saturationRps: 2000,
        probeP99: 40,
        probeFailedRate: 0,
        steps: steps(2000, over.simulateP99AtHalf ?? 12, over.heldAt90),
      },
      { endpoint: 'GET /stats/risk', saturationRps: 3000, probeP99: 30, probeFailedRate: 0, steps: steps(3000, 8) },
      { endpoint: 'GET /records', saturationRps: 150, probeP99: 600, probeFailedRate: 0, steps: steps(150, 60) },
    ],
  };
}

const judge = (r: FixedRateReport) => evaluate(scenario.thresholds, { scope: () => null, values: fixedRateValues(r) });

describe('fixed-rate step planning', () => {
  it('fits the default duration exactly: 3 × (3 s probe + 4 × (1 s warm-up + 4 s))', () => {
    const plan = planFixedRate(FIXED_RATE, scenario.defaultDurationS, 50);
    expect(plan).toMatchObject({ probeS: 3, warmupS: 1, stepS: 4, connections: 50, totalS: 69 });
    expect(plan.totalS).toBe(scenario.defaultDurationS);
  });

  it('scales the step length with --duration, never below 1 s measured', () => {
    expect(planFixedRate(FIXED_RATE, 120, 50).stepS).toBe(8); // 40 s each: 3 + 4 × 9
    expect(planFixedRate(FIXED_RATE, 120, 50).totalS).toBe(117);
    expect(planFixedRate(FIXED_RATE, 600, 50).stepS).toBe(48);
    expect(planFixedRate(FIXED_RATE, scenario.minDurationS!, 50)).toMatchObject({ stepS: 1, totalS: 33 });
    expect(planFixedRate(FIXED_RATE, 5, 50).stepS).toBe(1);
  });

  it('offers 25, 50, 75 and 90 % of the saturation rate, in whole req/s, at least 1', () => {
    expect(stepRates(2000, FIXED_RATE.shares)).toEqual([500, 1000, 1500, 1800]);
    expect(stepRates(333.3, FIXED_RATE.shares)).toEqual([83, 167, 250, 300]);
    expect(stepRates(2, FIXED_RATE.shares)).toEqual([1, 1, 2, 2]);
  });
});

describe('fixed-rate thresholds', () => {
  it('name every step held and the p99 SLO at 50 % per endpoint, each with its source', () => {
    expect(scenario.thresholds.map(thresholdName)).toEqual([
      'open_loop_steps_not_held count==0',
      'open_loop_p99{stage:50%,endpoint:POST /simulate} value<100',
      'open_loop_p99{stage:50%,endpoint:GET /stats/risk} value<100',
      'open_loop_p99{stage:50%,endpoint:GET /records} value<100',
    ]);
    for (const t of scenario.thresholds) expect(t.source).toBeTruthy();
    expect(scenario.thresholds.filter((t) => t.source?.startsWith('SLO'))).toHaveLength(3);
  });

  it('pass when every step held and p99 at half saturation is under 100 ms', () => {
    const results = judge(report());
    expect(results.map((t) => t.actual)).toEqual([0, 12, 8, 60]);
    expect(passed(results)).toBe(true);
  });

  it('fail on a step that could not hold its rate', () => {
    const results = judge(report({ heldAt90: false }));
    expect(results[0]).toMatchObject({ actual: 1, pass: false });
    expect(passed(results)).toBe(false);
  });

  it("fail on one endpoint's p99 of 100 ms at 50 %, and only that one", () => {
    const results = judge(report({ simulateP99AtHalf: 100 }));
    expect(results.map((t) => t.pass)).toEqual([true, false, true, true]);
  });

  it('are not evaluated for an endpoint whose probe saw no success', () => {
    const r = report();
    r.endpoints[2] = { ...r.endpoints[2]!, saturationRps: 0, steps: [] };
    const results = judge(r);
    expect(results[0]).toMatchObject({ pass: null, note: expect.stringContaining('GET /records') });
    expect(results[3]).toMatchObject({ pass: null, note: 'not measured' });
  });
});

describe('fixed-rate report', () => {
  const base: LoadTestResult = {
    schemaVersion: 1,
    scenario: 'fixed-rate',
    summary: scenario.summary,
    startedAt: '2026-12-03T19:40:00.000Z',
    id: '20261203-194000-fixed-rate',
    durationS: 70,
    target: { url: 'http://127.0.0.1:8787', kind: 'local-started', runtime: 'workerd' },
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      node: 'v22.0.0',
      autocannon: '8.0.0',
      loadAvgStart: [1, 1, 1],
      loadAvgEnd: [2, 2, 2],
    },
    settings: {
      plannedDurationS: 69,
      stages: FIXED_RATE.endpoints.map((e, i) => ({
        label: `probe ${e}`,
        connections: 50,
        durationS: 3,
        startS: 23 * i,
      })),
      traffic: 'one endpoint at a time',
      weights: FIXED_RATE.endpoints.map((endpoint) => ({ endpoint, weight: 100 })),
      distinctRequests: 80,
    },
    overall: {
      requests: 100,
      rps: 10,
      latency: { p50: 1, p90: 2, p95: 3, p99: 4, max: 5 },
      status: { 200: 100 },
      failedRate: 0,
    } as unknown as LoadTestResult['overall'],
    endpoints: [],
    stages: [],
    timeline: [],
    markers: [],
    thresholds: [],
    pass: true,
    errorSamples: [],
    connectionErrors: [],
    notes: [],
  };

  it('names one chart per endpoint beside the report', () => {
    expect(endpointSlug('POST /simulate')).toBe('simulate');
    expect(endpointSlug('GET /stats/risk')).toBe('stats-risk');
    expect(Object.values(fixedRateChartFiles(base.id, report()))).toEqual([
      '20261203-194000-fixed-rate-rate-simulate.svg',
      '20261203-194000-fixed-rate-rate-stats-risk.svg',
      '20261203-194000-fixed-rate-rate-records.svg',
    ]);
    const r = { ...base, fixedRate: report() };
    expect(chartFilesOf(r)).toEqual(Object.keys(renderCharts(r)));
    // Runs without the field keep their two charts over time.
    expect(chartFilesOf(base)).toEqual(Object.values(chartFiles(base.id)));
  });

  it('tables each endpoint: requested and achieved rate, held or not, p50, p99, p99.9, max', () => {
    const r = { ...base, fixedRate: report({ heldAt90: false }) };
    r.thresholds = judge(r.fixedRate);
    r.pass = passed(r.thresholds);
    const md = render(r, null);
    expect(md).toMatch(/^# Load test: fixed-rate — FAIL/);
    expect(md).toContain('## Fixed arrival rates');
    expect(md).toContain('### `POST /simulate`');
    expect(md).toContain('| step | requested | achieved | rate | p50 | p99 | p99.9 | max | failed | service p99 |');
    expect(md).toContain('| 50 % | 1,000 req/s | 1,000.0 req/s | held | 3.00 ms | 12.00 ms | 24.00 ms | 36.00 ms |');
    expect(md).toContain('| 90 % | 1,800 req/s | 1,440.0 req/s | could not hold (achieved less than requested) |');
    expect(md).toContain('![POST /simulate: latency vs offered rate](20261203-194000-fixed-rate-rate-simulate.svg)');
    expect(md).toContain('## Saturation probes (closed loop)');
    // No series over time: the steps would show as silence.
    expect(md).not.toContain('-throughput.svg');
    expect(render(base, null)).not.toContain('## Fixed arrival rates');
  });

  it('draws p50, p99 and p99.9 against the offered rate, hollow where the rate was not held', () => {
    const charts = fixedRateCharts(base.id, report({ heldAt90: false }));
    const svg = charts['20261203-194000-fixed-rate-rate-simulate.svg']!;
    expect(svg).toContain('POST /simulate: latency at fixed arrival rates');
    for (const name of ['>p50<', '>p99<', '>p99.9<']) expect(svg).toContain(name);
    expect(svg).toContain('offered rate, req/s');
    expect(svg.match(/<circle /g)).toHaveLength(12);
    expect(svg.match(/fill="#fff" stroke=/g)).toHaveLength(3);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
  });
});
