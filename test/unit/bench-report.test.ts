// The bench report is a pure renderer: the stored result JSON (a real `npm run bench -- --quick`
// run, floors and instructions included) must render to the stored markdown and SVG, and the
// verdicts follow the acceptance criteria.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratioToFloor, render, renderCharts } from '../../bench/report/render.ts';
import { renderEtl } from '../../bench/report/etl-section.ts';
import { verdicts } from '../../bench/report/verdicts.ts';
import type { EndpointResult, PerformanceResult } from '../../bench/report/types.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'bench', 'report', 'fixtures');
const fixture = () => JSON.parse(readFileSync(join(FIXTURES, 'performance.json'), 'utf8')) as PerformanceResult;

describe('bench report renderer', () => {
  it('renders PERFORMANCE.md from the stored result', async () => {
    await expect(render(fixture())).toMatchFileSnapshot(join(FIXTURES, 'PERFORMANCE.expected.md'));
  });

  it('renders the SVG charts from the stored result', async () => {
    for (const [name, svg] of Object.entries(renderCharts(fixture()))) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      await expect(svg).toMatchFileSnapshot(join(FIXTURES, `expected-${name}`));
    }
  });

  it('is a pure function of the result', () => {
    expect(render(fixture())).toBe(render(fixture()));
  });

  it('quotes the published figures as published, never as a measurement of this run', () => {
    const md = render(fixture());
    expect(md).toContain('**Published, on other hardware, not a side-by-side measurement.**');
    for (const figure of ['12 ms', '~166 req/s', '1,744 ms', '2,177 ms', '6,033 rows/s', '594 rows/s'])
      expect(md).toContain(figure);
    expect(md).toContain('computed, not measured');
  });

  it('says when instructions were not counted, and why', () => {
    expect(render({ ...fixture(), instructions: undefined })).toContain(
      '## Instructions per response (plain workerd under callgrind)\n\nNot counted in this run.',
    );
    const skipped = {
      tool: null,
      skipped: 'valgrind (with callgrind_control) is not installed: apt-get install valgrind',
      warmup: 1,
      perWindow: 1,
      windows: 1,
      connections: 4,
      ceiling: null,
      endpoints: [],
    };
    expect(render({ ...fixture(), instructions: skipped })).toContain(
      'Not counted: valgrind (with callgrind_control) is not installed: apt-get install valgrind.',
    );
  });

  it('says what the floor bounds, from the workerd floor runs, and only when they ran', () => {
    const md = render(fixture());
    const wd = fixture().runtimes.find((r) => r.runtime === 'workerd')!;
    for (const id of ['floor-get', 'floor-post']) {
      const f = wd.endpoints.find((e) => e.id === id)!;
      expect(md).toContain(
        `${Math.round(f.figures.rps).toLocaleString('en-US')} req/s = ${f.ratioToCeiling!.toFixed(2)} × ceiling`,
      );
    }
    const noFloor = fixture();
    for (const r of noFloor.runtimes) r.endpoints = r.endpoints.filter((e) => e.instance !== 'floor');
    expect(render(noFloor)).not.toContain('The floor, for reference');
  });

  it('says when there is no ETL benchmark result', () => {
    expect(renderEtl(null)).toContain('`bench/reports/etl.json` was absent');
    expect(renderEtl({ something: { nested: 1 } })).toContain('something.nested');
  });

  it('renders the ETL benchmark from a stored bench/reports/etl.json', async () => {
    const etl = JSON.parse(readFileSync(join(FIXTURES, 'etl.json'), 'utf8')) as Record<string, unknown>;
    const md = renderEtl(etl);
    await expect(md).toMatchFileSnapshot(join(FIXTURES, 'etl.expected.md'));
    // Both write paths beside the bare loads, the gateway's own CPU, the replace loads and the goals.
    for (const text of [
      'production path',
      'MySQL path',
      'gateway CPU / statement',
      'steady state (removes the previous-but-one)',
      'innodb_flush_log_at_trx_commit=',
    ])
      expect(md).toContain(text);
    expect(render({ ...fixture(), etl })).toContain(md);
  });
});

describe('ratio to the floor', () => {
  const run = (
    id: string,
    instance: EndpointResult['instance'],
    method: EndpointResult['method'],
    rps: number,
  ): EndpointResult => ({
    id,
    label: id,
    method,
    path: '/',
    instance,
    distinctRequests: 1,
    ratioToCeiling: null,
    server: null,
    loadAvg1: 0,
    workerLog: { lines: 0, samples: [] },
    figures: {
      requests: 1000,
      rps,
      durationS: 10,
      latency: { mean: 1, p50: 1, p90: 1, p95: 1, p99: 1, max: 1 },
      status: { 200: 1000 },
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      xCache: {},
    },
  });
  const endpoints = [
    run('floor-get', 'floor', 'GET', 8000),
    run('floor-post', 'floor', 'POST', 5000),
    run('health', 'api', 'GET', 6000),
    run('simulate', 'api', 'POST', 4000),
    run('stats-age-uncached', 'uncached', 'GET', 800),
  ];
  const r = { runtime: 'workerd' as const, ceiling: fixture().runtimes[0]!.ceiling, ceilingAfter: null, endpoints };
  const ratio = (id: string) => ratioToFloor(r, endpoints.find((e) => e.id === id)!);

  it("compares each endpoint with its own method's floor", () => {
    expect(ratio('health')).toBeCloseTo(0.75);
    expect(ratio('simulate')).toBeCloseTo(0.8);
    expect(ratio('stats-age-uncached')).toBeCloseTo(0.1);
  });

  it('has no floor for the floor runs themselves, nor without floor runs', () => {
    expect(ratio('floor-get')).toBeNull();
    expect(ratioToFloor({ ...r, endpoints: endpoints.slice(2) }, endpoints[2]!)).toBeNull();
  });
});

describe('acceptance verdicts', () => {
  const endpoint = (id: string, rps: number, p95: number, p99: number, ratio: number, non2xx = 0): EndpointResult => ({
    id,
    label: id,
    method: 'GET',
    path: '/',
    instance: 'api',
    distinctRequests: 1,
    ratioToCeiling: ratio,
    server: null,
    loadAvg1: 0,
    workerLog: { lines: 0, samples: [] },
    figures: {
      requests: 1000,
      rps,
      durationS: 10,
      latency: { mean: 1, p50: 1, p90: 1, p95, p99, max: p99 },
      status: { 200: 1000 - non2xx },
      non2xx,
      errors: 0,
      timeouts: 0,
      xCache: {},
    },
  });
  const result = (endpoints: EndpointResult[]): PerformanceResult => ({
    ...fixture(),
    runtimes: [{ runtime: 'workerd', ceiling: fixture().runtimes[0]!.ceiling, ceilingAfter: null, endpoints }],
  });

  it('passes at the thresholds and fails beyond them', () => {
    const v = verdicts(
      result([
        endpoint('floor-post', 9000, 5, 19.9, 0.9),
        endpoint('floor-get', 9000, 5, 19.95, 0.9),
        endpoint('simulate', 8000, 5, 19.9, 0.8),
        endpoint('stats-risk', 8000, 5, 20, 0.81),
        endpoint('records-first', 100, 20, 49, 0.1),
        endpoint('records-last', 100, 30, 49, 0.1),
        endpoint('stats-age-uncached', 100, 35, 40, 0.1), // 50 connections: throughput, not judged
        endpoint('stats-age-uncached-1c', 100, 19.99, 40, 0.1),
        endpoint('stats-risk-uncached-1c', 100, 20, 40, 0.1),
      ]),
    );
    const by = (c: string) => v.find((x) => x.criterion.startsWith(c))!;
    expect(by('POST /simulate p99 at saturation').pass).toBe(true); // 19.9 ms ≤ the POST floor's 19.9 ms
    expect(by('POST /simulate p99 at saturation').measured).toBe('19.90 ms vs 19.90 ms');
    expect(by('POST /simulate p99 <').pass).toBe(true);
    expect(by('cached GET /stats/risk p99 at saturation').pass).toBe(false); // 20 ms over the GET floor's 19.95 ms
    expect(by('cached GET /stats/risk p99 <').pass).toBe(false); // 20 ms is not < 20 ms
    expect(by('cached GET /stats/age p99 at saturation').pass).toBeNull(); // not measured
    expect(by('uncached GET /stats/age p95').pass).toBe(true);
    expect(by('uncached GET /stats/age p95').measured).toBe('19.99 ms');
    expect(by('uncached GET /stats/risk p95').pass).toBe(false);
    expect(by('last page p95').measured).toContain('1.50');
    expect(by('last page p95').pass).toBe(true);
  });

  it('never passes a figure measured on failing responses', () => {
    const v = verdicts(
      result([endpoint('records-first', 100, 5, 10, 0.1, 3), endpoint('records-last', 100, 5, 10, 0.1)]),
    );
    const first = v.find((x) => x.criterion.startsWith('GET /records page 1'))!;
    expect(first.pass).toBe(false);
    expect(first.measured).toContain('3 of 1000 failed');
    expect(v.find((x) => x.criterion.startsWith('last page'))!.pass).toBe(false);
  });

  it('judges nothing when plain workerd was not measured', () => {
    const v = verdicts({ ...fixture(), runtimes: fixture().runtimes.filter((r) => r.runtime !== 'workerd') });
    expect(v.every((x) => x.pass === null)).toBe(true);
  });
});
