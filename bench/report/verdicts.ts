// The acceptance criteria, judged from a run's figures under plain workerd (the runtime that
// production runs the bundle in; Miniflare's dev proxy would judge the proxy). Pure.
import { batchPerPerson } from './batch.ts';
import { fetchFloorVerdicts } from './fetch-floor.ts';
import { fixedRateVerdicts } from './fixed-rate.ts';
import type { EndpointResult, PerformanceResult } from './types.ts';

export interface Verdict {
  criterion: string;
  /** The figure as measured, formatted. */
  measured: string;
  pass: boolean | null; // null: not measured in this run
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

export const ACCEPTANCE = {
  p99Ms: 20,
  recordsP99Ms: 50,
  uncachedP95Ms: 20,
  deepPageRatio: 1.5,
} as const;

export function verdicts(result: PerformanceResult): Verdict[] {
  const wd = result.runtimes.find((r) => r.runtime === 'workerd');
  const ep = (id: string): EndpointResult | undefined => wd?.endpoints.find((e) => e.id === id);
  const out: Verdict[] = [];
  // A figure measured on failing responses judges the error path: it cannot pass.
  const failing = (e: EndpointResult) => e.figures.non2xx + e.figures.errors;
  const caveat = (e: EndpointResult) =>
    failing(e) ? ` (${failing(e)} of ${e.figures.requests + e.figures.errors} failed)` : '';
  const add = (
    criterion: string,
    e: EndpointResult | undefined,
    measured: (e: EndpointResult) => string,
    pass: (e: EndpointResult) => boolean,
  ) =>
    out.push(
      e
        ? { criterion, measured: measured(e) + caveat(e), pass: pass(e) && !failing(e) }
        : { criterion, measured: 'not measured', pass: null },
    );

  // At saturation no endpoint can beat the floor of its method (the app's pipeline with no route
  // work, same runtime, same run), so its p99 is judged against the floor's: the route's own work
  // should add no tail of its own. (Throughput against the hello-world ceiling is reported, not
  // judged: the floor shows how much of it any endpoint of this contract can reach.)
  for (const [id, name, floorId] of [
    ['simulate', 'POST /simulate', 'floor-post'],
    ['stats-risk', 'cached GET /stats/risk', 'floor-get'],
    ['stats-age', 'cached GET /stats/age', 'floor-get'],
  ] as const) {
    const floor = ep(floorId);
    add(
      `${name} p99 at saturation ≤ the ${floorId === 'floor-post' ? 'POST' : 'GET'} floor's p99`,
      floor ? ep(id) : undefined,
      (e) => `${ms(e.figures.latency.p99)} vs ${ms(floor!.figures.latency.p99)}`,
      (e) => e.figures.latency.p99 <= floor!.figures.latency.p99,
    );
    add(
      `${name} p99 < ${ACCEPTANCE.p99Ms} ms`,
      ep(id),
      (e) => ms(e.figures.latency.p99),
      (e) => e.figures.latency.p99 < ACCEPTANCE.p99Ms,
    );
  }
  for (const [id, name] of [
    ['records-first', 'GET /records page 1'],
    ['records-last', 'GET /records last page'],
  ] as const) {
    add(
      `${name} p99 < ${ACCEPTANCE.recordsP99Ms} ms`,
      ep(id),
      (e) => ms(e.figures.latency.p99),
      (e) => e.figures.latency.p99 < ACCEPTANCE.recordsP99Ms,
    );
  }
  // A miss's own latency: one request at a time, as the replaced service's miss figures were taken
  // (the 50-connection uncached runs measure throughput, their latency is mostly queueing).
  for (const [id, name] of [
    ['stats-risk-uncached-1c', 'uncached GET /stats/risk'],
    ['stats-age-uncached-1c', 'uncached GET /stats/age'],
  ] as const) {
    add(
      `${name} p95 < ${ACCEPTANCE.uncachedP95Ms} ms, one request at a time`,
      ep(id),
      (e) => ms(e.figures.latency.p95),
      (e) => e.figures.latency.p95 < ACCEPTANCE.uncachedP95Ms,
    );
  }
  const first = ep('records-first');
  const last = ep('records-last');
  const criterion = `last page p95 ÷ page 1 p95 ≤ ${ACCEPTANCE.deepPageRatio}`;
  if (first && last && first.figures.latency.p95 > 0) {
    const r = last.figures.latency.p95 / first.figures.latency.p95;
    const bad = failing(first) + failing(last);
    out.push({
      criterion,
      measured: `${ms(last.figures.latency.p95)} ÷ ${ms(first.figures.latency.p95)} = ${r.toFixed(2)}${bad ? ` (${bad} failed responses)` : ''}`,
      pass: r <= ACCEPTANCE.deepPageRatio && !bad,
    });
  } else out.push({ criterion, measured: 'not measured', pass: null });

  // Counted, not timed: present only when the run counted both the batch and /simulate.
  const batch = batchPerPerson(result.instructions);
  if (batch) {
    out.push({
      criterion: `POST /simulate/batch instructions per person ≤ ${batch.target} × one POST /simulate response`,
      measured: `${batch.perPerson.toLocaleString('en-US')} ÷ ${batch.simulatePerResponse.toLocaleString('en-US')} = ${batch.ratio.toFixed(3)}`,
      pass: batch.pass,
    });
  }

  // Latency at a fixed offered load: present only when the run stepped it (bench/report/fixed-rate.ts).
  out.push(...fixedRateVerdicts(result.fixedRate));

  // Instructions against the fetch floor: present only when the run counted it (bench/report/fetch-floor.ts).
  out.push(...fetchFloorVerdicts(result.fetchFloor));

  if (wd) {
    const failures = wd.endpoints.reduce((n, e) => n + e.figures.non2xx + e.figures.errors, 0);
    out.push({
      criterion: 'no errors or non-2xx responses in any workerd run',
      measured: `${failures}`,
      pass: failures === 0,
    });
  }
  return out;
}

export const verdictMark = (pass: boolean | null) => (pass === null ? '— not measured' : pass ? '✅ pass' : '❌ fail');
