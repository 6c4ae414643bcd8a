// The pure figures under both reports: percentiles over every response, per-second series,
// sample selection and joining, and the Worker's Prometheus counters.
import { describe, expect, it } from 'vitest';
import type { LoadSamples } from '../../loadkit/http/load.ts';
import { joinSamples, selectSamples } from '../../loadkit/http/samples.ts';
import {
  counterDelta,
  countersFrom,
  dbStatementsMatching,
  parsePrometheus,
} from '../../loadkit/http/server-counters.ts';
import { httpFigures, latencyFigures, percentile, perSecond, slowBursts } from '../../loadkit/http/summary.ts';
import { barChart, escapeXml, lineChart, niceMax } from '../../loadkit/report/svg.ts';

function samples(
  rows: [at: number, ms: number, status: number, endpoint: number, cache?: number][],
  endpoints = ['GET /a', 'GET /b'],
): LoadSamples {
  return {
    at: Float64Array.from(rows, (r) => r[0]),
    ms: Float32Array.from(rows, (r) => r[1]),
    status: Uint16Array.from(rows, (r) => r[2]),
    endpoint: Uint16Array.from(rows, (r) => r[3]),
    endpoints,
    cache: Uint8Array.from(rows, (r) => r[4] ?? 0),
    errors: [],
    errorSamples: [],
  };
}

describe('percentiles', () => {
  it('uses the nearest rank', () => {
    const v = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(50);
    expect(percentile(v, 95)).toBe(95);
    expect(percentile(v, 99)).toBe(99);
    expect(percentile(v, 100)).toBe(100);
    expect(percentile([], 95)).toBe(0);
  });

  it('summarises latencies, including p95 that autocannon does not report', () => {
    const f = latencyFigures([5, 1, 4, 2, 3]);
    expect(f).toEqual({ mean: 3, p50: 3, p90: 5, p95: 5, p99: 5, max: 5 });
  });
});

describe('slowBursts', () => {
  it('groups slow responses that complete within the gap, whatever their order in the samples', () => {
    // A pause answered 4 connections at once (1000–1006 ms), then two slow ones on their own.
    const rows: [number, number, number, number][] = [
      [1003, 31, 200, 0],
      [1000, 30, 200, 0],
      [1006, 33, 200, 0],
      [1001, 30, 200, 0],
      [1004, 2, 200, 0],
      [2000, 25, 200, 0],
      [2050, 21, 200, 0],
      [2051, 20, 200, 0],
      [3000, 3, 200, 0],
    ];
    expect(slowBursts(samples(rows))).toEqual({
      overMs: 20,
      slow: 6,
      bursts: 3,
      gapMs: 5,
      medianBurst: 1,
      largestBurst: 4,
    });
    expect(slowBursts(samples(rows), 20, 60).bursts).toBe(2);
    expect(slowBursts(samples(rows), 29)).toMatchObject({ slow: 4, bursts: 1, medianBurst: 4 });
  });

  it('reports no bursts when nothing is slow', () => {
    expect(slowBursts(samples([[1000, 2, 200, 0]]))).toEqual({
      overMs: 20,
      slow: 0,
      bursts: 0,
      gapMs: 5,
      medianBurst: 0,
      largestBurst: 0,
    });
  });
});

describe('httpFigures and perSecond', () => {
  const s = samples([
    [1000, 2, 200, 0, 1],
    [1500, 4, 200, 1, 3],
    [2100, 6, 500, 0],
    [3900, 8, 200, 1, 1],
  ]);

  it('counts statuses, non-2xx, X-Cache and throughput over the wall time', () => {
    const f = httpFigures({ ...s, errors: [{ at: 2000, kind: 'timeout' }] }, 2);
    expect(f.requests).toBe(4);
    expect(f.rps).toBe(2);
    expect(f.status).toEqual({ 200: 3, 500: 1 });
    expect(f.non2xx).toBe(1);
    expect(f.errors).toBe(1);
    expect(f.timeouts).toBe(1);
    expect(f.xCache).toEqual({ 'HIT-L1': 2, MISS: 1 });
  });

  it('buckets responses and errors per second from the start', () => {
    const points = perSecond({ ...s, errors: [{ at: 2500, kind: 'ECONNRESET' }] }, 1000, 4);
    expect(points.map((p) => [p.ok, p.non2xx, p.errors])).toEqual([
      [2, 0, 0],
      [0, 1, 1],
      [1, 0, 0],
      [0, 0, 0],
    ]);
    expect(points[0]!.p95).toBe(4);
  });
});

describe('samples', () => {
  it('selects by time and endpoint, and joins runs with their endpoint names', () => {
    const a = samples([
      [1, 1, 200, 0],
      [2, 2, 200, 1],
    ]);
    const b = samples([[3, 3, 404, 0]], ['GET /b']);
    const joined = joinSamples([a, b]);
    expect(joined.endpoints).toEqual(['GET /a', 'GET /b']);
    expect(Array.from(joined.endpoint)).toEqual([0, 1, 1]);
    const onlyB = selectSamples(joined, (_, e) => e === 'GET /b');
    expect(Array.from(onlyB.status)).toEqual([200, 404]);
    expect(selectSamples(joined, (at) => at >= 2).at.length).toBe(2);
  });
});

describe("the Worker's counters", () => {
  const text = [
    '# HELP cache_results_total x',
    'cache_results_total{key="stats:risk",result="HIT-L1"} 90',
    'cache_results_total{key="stats:risk",result="MISS"} 2',
    'cache_results_total{key="stats:age",result="HIT-L1"} 5',
    'db_query_duration_seconds_count{pattern="SELECT total_records FROM dataset_summary"} 3',
    'db_query_duration_seconds_count{pattern="SELECT age_group_code FROM agg_age_risk"} 4',
  ].join('\n');

  it('parses Prometheus text and counts per key family', () => {
    const m = parsePrometheus(text);
    expect(countersFrom(m, 'stats:risk')).toEqual({ cache: { 'HIT-L1': 90, MISS: 2 }, dbStatements: 7 });
    expect(dbStatementsMatching(m, 'agg_age_risk')).toBe(4);
    const before = countersFrom(
      parsePrometheus('cache_results_total{key="stats:risk",result="HIT-L1"} 40'),
      'stats:risk',
    );
    expect(counterDelta(before, countersFrom(m, 'stats:risk'))).toEqual({
      cache: { 'HIT-L1': 50, MISS: 2 },
      dbStatements: 7,
    });
  });
});

describe('SVG charts', () => {
  it('escapes labels and picks round axis maxima', () => {
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    expect([niceMax(0), niceMax(7), niceMax(12_345), niceMax(0.3)]).toEqual([1, 10, 20_000, 0.5]);
  });

  it('draws one bar per measured value and says what was not measured', () => {
    const svg = barChart({
      title: 't',
      unit: 'u',
      categories: ['a', 'b'],
      series: [{ name: 's', color: '#000', values: [6.3, null] }],
    });
    expect(svg.match(/>6\.30<\/text>/g)).toHaveLength(1);
    expect(svg).toContain('not measured');
    expect(lineChart({ title: 't', yUnit: 'u', series: [{ name: 's', color: '#000', values: [1, 2, 3] }] })).toContain(
      '<polyline',
    );
  });
});
