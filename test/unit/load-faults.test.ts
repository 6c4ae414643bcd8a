// The faults scenario's pure parts: its plan, the dropped client's key and statement match, the
// accounting of responses per fault window, the burst's verdict and the values its thresholds
// read; and the probe's Retry-After flag, through a real autocannon run against a local server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { format } from '@planetscale/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad, type LoadSamples } from '../../loadkit/http/load.ts';
import { joinSamples, selectSamples } from '../../loadkit/http/samples.ts';
import { countStatement, pageStatement } from '../../src/data/planetscale-store.ts';
import { scopeFigures, unexpectedFailures } from '../../load-tests/analyze.ts';
import {
  dropCandidates,
  dropMatch,
  dropPath,
  endpointsDuring,
  faultValues,
  faultWindows,
  FAULTS_MIN_DURATION_S,
  pickColdFilter,
  planFaults,
  type FaultEvent,
} from '../../load-tests/faults.ts';
import { AFTER_FAULT_MS, burstSummary } from '../../load-tests/report/fault-figures.ts';
import type { BurstResponse, DropReport, FaultWindowFigures } from '../../load-tests/report/types.ts';
import { SCENARIOS, thresholdsOf } from '../../load-tests/scenarios.ts';
import { evaluate, passed } from '../../load-tests/thresholds.ts';
import { buildTraffic } from '../../load-tests/traffic.ts';

type Row = [at: number, ms: number, status: number, endpoint: number, retryAfter?: 0 | 1, cache?: number];

function samples(rows: Row[], endpoints = ['GET /records', 'GET /stats/risk']): LoadSamples {
  return {
    at: Float64Array.from(rows, (r) => r[0]),
    ms: Float32Array.from(rows, (r) => r[1]),
    status: Uint16Array.from(rows, (r) => r[2]),
    endpoint: Uint16Array.from(rows, (r) => r[3]),
    endpoints,
    cache: Uint8Array.from(rows, (r) => r[5] ?? 0),
    retryAfter: Uint8Array.from(rows, (r) => r[4] ?? 0),
    errors: [],
    errorSamples: [],
  };
}

describe('fault plan', () => {
  it('spreads the four Vitess errors and the client drop over six slots of the run', () => {
    expect(planFaults(30)).toEqual([
      { kind: 'vitess', code: 'UNAVAILABLE', atMs: 5000, durationMs: 3000 },
      { kind: 'vitess', code: 'RESOURCE_EXHAUSTED', atMs: 10000, durationMs: 3000 },
      { kind: 'vitess', code: 'DEADLINE_EXCEEDED', atMs: 15000, durationMs: 3000 },
      { kind: 'vitess', code: 'ABORTED', atMs: 20000, durationMs: 3000 },
      { kind: 'client-drop', atMs: 25000 },
    ]);
  });

  it('leaves a recovery gap after every fault, at the shortest duration too', () => {
    for (const d of [FAULTS_MIN_DURATION_S, 31, 600]) {
      const plan = planFaults(d);
      for (let i = 0; i + 1 < plan.length; i++) {
        const step = plan[i]!;
        if (step.kind !== 'vitess') throw new Error('the Vitess errors come first');
        expect(step.atMs + step.durationMs).toBeLessThan(plan[i + 1]!.atMs);
      }
      expect(plan.at(-1)!.atMs).toBeLessThan(d * 1000);
    }
  });

  it('is refused below its minimum duration and bounds latency by DB_TIMEOUT_MS + 1 s', () => {
    expect(SCENARIOS.faults.minDurationS).toBe(FAULTS_MIN_DURATION_S);
    expect(SCENARIOS.faults.injectsFaults).toBe(true);
    const specs = thresholdsOf(SCENARIOS.faults, 2500);
    expect(specs.find((t) => t.metric === 'http_req_duration')?.expression).toBe('max<=3500');
    expect(specs.find((t) => t.metric === 'client_drop_max_ms')?.expression).toBe('value<=3500');
    expect(specs.every((t) => t.source)).toBe(true);
    // Scenarios without such bounds keep their own list.
    expect(thresholdsOf(SCENARIOS.mixed, 2500)).toEqual(SCENARIOS.mixed.thresholds);
  });
});

describe('the dropped client', () => {
  const cached = (f: { ageGroup: number; gender: number; riskGroup: string }) =>
    `records:count:d3:a${f.ageGroup}:g${f.gender}:r${f.riskGroup}`;

  it('takes an uncached key, from a position that moves with the seed', () => {
    const all = dropCandidates();
    expect(all).toHaveLength(14 * 2 * 3);
    expect(pickColdFilter(all, [], 0)).toEqual(all[0]);
    expect(pickColdFilter(all, [], 5)).toEqual(all[5]);
    expect(pickColdFilter(all, [cached(all[5]!), cached(all[6]!)], 5)).toEqual(all[7]);
    expect(pickColdFilter(all, [], all.length + 2)).toEqual(all[2]);
    expect(pickColdFilter(all, all.map(cached), 9)).toBeNull();
  });

  it('never sends a key the scenario traffic warms', () => {
    const traffic = buildTraffic('faults', { lastPage: 500, totalItems: 10_000, ids: [1, 2] }, 'k');
    expect(traffic.requests.some((r) => r.path.startsWith('/records?') && r.path.includes('gender='))).toBe(true);
    expect(traffic.requests.some((r) => r.path.includes('risk_group='))).toBe(false);
    expect(new Set(traffic.weights.map((w) => w.endpoint))).toEqual(
      new Set(['POST /simulate', 'GET /stats/risk', 'GET /stats/age', 'GET /records', 'GET /records/:id']),
    );
  });

  it("holds the statement of that key's total as database-js sends it, and nothing else", () => {
    const f = { ageGroup: 7, gender: 2, riskGroup: 'CHD_RISK_EQUIVALENT' as const };
    expect(dropPath(f)).toBe('/records?age_group=7&gender=2&risk_group=CHD_RISK_EQUIVALENT&limit=7&page=2');
    const re = new RegExp(dropMatch(f));
    const sent = (st: { sql: string; args: unknown[] }) => format(st.sql, st.args);
    expect(re.test(sent(countStatement(1, f)))).toBe(true);
    expect(re.test(sent(countStatement(1, { ...f, gender: 1 })))).toBe(false);
    expect(re.test(sent(countStatement(1, { ...f, ageGroup: 17 })))).toBe(false);
    expect(re.test(sent(pageStatement(1, f, 7, 7)))).toBe(false);
  });
});

describe('fault windows', () => {
  // Run from 0; UNAVAILABLE over [1000, 2000), the client drop over [3000, 3500).
  const events: FaultEvent[] = [
    { kind: 'vitess', label: 'UNAVAILABLE', fromMs: 1000, toMs: 2000, applied: 40 },
    { kind: 'client-drop', label: 'client drop', fromMs: 3000, toMs: 3500, applied: 1 },
  ];
  const s = samples([
    [500, 5, 200, 0],
    [999, 6, 200, 1],
    [1000, 3, 503, 0, 1],
    [1100, 4, 200, 1, 0, 4],
    [1200, 9, 503, 0, 0],
    [1300, 2, 500, 0],
    [1999, 20, 503, 0, 1],
    [2000, 8, 503, 0, 1],
    [3200, 30, 200, 0],
    [3499, 1, 429, 0, 1],
    [3600, 7, 503, 0, 1],
  ]);

  it("counts each window's responses by kind, with its p99 and max", () => {
    const [none, unavailable, drop] = faultWindows(s, events, 0) as [
      FaultWindowFigures,
      FaultWindowFigures,
      FaultWindowFigures,
    ];
    expect(unavailable).toEqual({
      label: 'UNAVAILABLE',
      fromS: 1,
      toS: 2,
      responses: 5,
      ok: 1,
      retryable503: 2,
      bare503: 1,
      other: { 500: 1 },
      noResponse: 0,
      p99: 20,
      max: 20,
      applied: 40,
    });
    expect(drop).toMatchObject({
      label: 'client drop',
      fromS: 3,
      toS: 3.5,
      responses: 2,
      ok: 1,
      retryable503: 0,
      other: { 429: 1 },
      max: 30,
      applied: 1,
    });
    // The rest: two 503s after the windows closed, one within AFTER_FAULT_MS of the Vitess error's
    // end; the other follows the client drop, which fails no statement.
    expect(AFTER_FAULT_MS).toBe(1000);
    expect(none).toMatchObject({
      label: 'no fault',
      fromS: null,
      toS: null,
      responses: 4,
      ok: 2,
      retryable503: 2,
      afterFault503: 1,
      applied: null,
    });
  });

  it('counts requests with no response in their window', () => {
    const withErrors = {
      ...s,
      errors: [
        { at: 1500, kind: 'timeout', endpoint: 'GET /records' },
        { at: 2500, kind: 'ECONNRESET', endpoint: 'GET /records' },
      ],
    };
    const [none, unavailable] = faultWindows(withErrors, events, 0);
    expect(unavailable!.noResponse).toBe(1);
    expect(none!.noResponse).toBe(1);
  });

  it('tells, per endpoint during the faults, 2xx by cache tier from 503s', () => {
    expect(endpointsDuring(s, events)).toEqual([
      { endpoint: 'GET /records', responses: 4, ok: 0, retryable503: 2, other: 2, okXCache: {} },
      { endpoint: 'GET /stats/risk', responses: 1, ok: 1, retryable503: 0, other: 0, okXCache: { STALE: 1 } },
    ]);
  });
});

describe('fault thresholds', () => {
  const specs = thresholdsOf(SCENARIOS.faults, 3000);
  const judge = (s: LoadSamples, values: Record<string, number | string>) =>
    evaluate(specs, {
      scope: () => scopeFigures(s, 10),
      values: { faults_applied: 1, client_drop_answered: 1, client_drop_max_ms: 1800, ...values },
    });
  const verdicts = (results: ReturnType<typeof judge>) =>
    Object.fromEntries(results.map((r) => [`${r.metric} ${r.expression}`, r.pass]));

  it('pass when every failure is a 503 with Retry-After and nothing is late', () => {
    const results = judge(
      samples([
        [1, 5, 200, 0],
        [2, 3, 503, 0, 1],
        [3, 3999, 200, 1],
      ]),
      {},
    );
    expect(results.every((r) => r.pass === true)).toBe(true);
  });

  it('fail on a 500, a 503 without Retry-After, a 429, a response past the bound, a late or unanswered burst', () => {
    const bad = samples([
      [1, 5, 500, 0],
      [2, 3, 503, 0, 0],
      [3, 3, 429, 0, 1],
      [4, 4001, 200, 1],
    ]);
    const results = judge(bad, { client_drop_answered: 19 / 20, client_drop_max_ms: 4200, faults_applied: 0.8 });
    expect(verdicts(results)).toEqual({
      'http_status_500 count==0': false,
      'http_unexpected_failures count==0': false,
      'client_drop_answered value==1': false,
      'faults_applied value==1': false,
      'http_req_duration max<=4000': false,
      'client_drop_max_ms value<=4000': false,
    });
    expect(results.find((r) => r.metric === 'http_unexpected_failures')!.actual).toBe(3);
    expect(passed(results)).toBe(false);
  });

  it('counts a request with no response as unexpected, and cannot judge without Retry-After data', () => {
    const s = samples([[1, 5, 200, 0]]);
    expect(unexpectedFailures({ ...s, errors: [{ at: 2, kind: 'timeout' }] })).toBe(1);
    const { retryAfter: _, ...without } = s;
    expect(unexpectedFailures(without)).toBeUndefined();
    const [r] = evaluate([{ metric: 'http_unexpected_failures', expression: 'count==0' }], {
      scope: () => scopeFigures(without, 1),
      values: {},
    });
    expect(r).toMatchObject({ pass: null, note: 'Retry-After not recorded' });
  });
});

describe('the burst after the drop', () => {
  const ok: BurstResponse = { status: 200, retryAfter: false, ms: 1800 };
  const drop = (burst: BurstResponse[]): DropReport => ({
    method: 'GET',
    path: '/records?x',
    match: 'record_counts',
    holdMs: 2000,
    abortAfterMs: 200,
    first: { aborted: true },
    burst,
    distinctTotals: 1,
    coldKey: true,
  });
  const window = (label: string, applied: number | null): FaultWindowFigures => ({
    label,
    fromS: 1,
    toS: 2,
    responses: 0,
    ok: 0,
    retryable503: 0,
    bare503: 0,
    other: {},
    noResponse: 0,
    p99: 0,
    max: 0,
    applied,
  });

  it('is answered by a 2xx or a 503 with Retry-After only', () => {
    const burst: BurstResponse[] = [
      ok,
      { status: 503, retryAfter: true, ms: 10 },
      { status: 503, retryAfter: false, ms: 10 },
      { status: null, retryAfter: false, ms: 9000, error: 'timeout' },
    ];
    expect(burstSummary(burst)).toEqual({
      sent: 4,
      answered: 2,
      statuses: { 200: 1, 503: 2, 'no response': 1 },
      maxMs: 9000,
    });
  });

  it('gives the thresholds their values, or the reason there are none', () => {
    const windows = [
      { ...window('no fault', null), fromS: null, toS: null },
      window('UNAVAILABLE', 10),
      window('ABORTED', 0),
      window('client drop', null),
    ];
    expect(faultValues(5, windows, drop([ok, { ...ok, ms: 2100 }]))).toEqual({
      faults_applied: 1 / 5,
      client_drop_answered: 1,
      client_drop_max_ms: 2100,
    });
    expect(faultValues(5, windows, null)).toEqual({
      faults_applied: 0.2,
      client_drop_answered: 'the client drop did not run',
      client_drop_max_ms: 'the client drop did not run',
    });
  });
});

describe('Retry-After in the probe', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/busy') res.writeHead(503, { 'Retry-After': '1' });
      else if (req.url === '/bare') res.writeHead(503);
      else if (req.url === '/limited') res.writeHead(429, { 'retry-after': '5' });
      else res.writeHead(200, { 'Retry-After': '3' }); // not a failure: not flagged
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('flags each failed response that carried it, through joining and selection', async () => {
    const run = await runLoad({
      url,
      requests: ['/ok', '/busy', '/bare', '/limited'].map((path) => ({ method: 'GET', path })),
      connections: 2,
      durationS: 1,
    });
    const s = joinSamples([run.samples]);
    expect(s.status.length).toBeGreaterThan(20);
    const flagged = new Map<string, Set<number>>();
    for (let i = 0; i < s.status.length; i++) {
      const name = s.endpoints[s.endpoint[i]!]!;
      flagged.set(name, (flagged.get(name) ?? new Set()).add(s.retryAfter![i]!));
    }
    expect(Object.fromEntries([...flagged].map(([k, v]) => [k, [...v]]))).toEqual({
      'GET /ok': [0],
      'GET /busy': [1],
      'GET /bare': [0],
      'GET /limited': [1],
    });
    const bare = selectSamples(s, (_, e) => e === 'GET /bare' || e === 'GET /limited');
    expect(unexpectedFailures(s)).toBe(bare.status.length);
    expect(unexpectedFailures(selectSamples(s, (_, e) => e === 'GET /busy'))).toBe(0);
  }, 20_000);
});
