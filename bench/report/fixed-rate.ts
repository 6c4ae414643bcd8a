// Latency at a fixed offered load (plain workerd): what a run stores, how its steps are planned from
// the same run's saturation figures, and what is judged from them. Pure. The steps themselves run
// in bench/http/fixed-rate.ts (loadkit/http/open-loop.ts: latency from each request's intended
// send time); bench/report/fixed-rate-section.ts renders them.
import { HELD_TOLERANCE, type OpenLoopResult } from '../../loadkit/http/open-loop.ts';

/** The endpoints stepped at fixed rates, in order, with the name their verdicts use. */
export const FIXED_RATE_ENDPOINTS = [
  { id: 'simulate', name: 'POST /simulate' },
  { id: 'stats-risk', name: 'cached GET /stats/risk' },
  { id: 'stats-age', name: 'cached GET /stats/age' },
] as const;

/** Shares of an endpoint's saturating rate (its req/s under autocannon in the same run). */
export const FIXED_RATE_SHARES = [0.25, 0.5, 0.75, 0.9] as const;

/** The step the latency criteria are judged at, and their bounds (× the ceiling at the same rate). */
export const FIXED_RATE_ACCEPTANCE = { share: 0.5, p99Ratio: 2, p999Ratio: 4 } as const;

export interface FixedRateStep {
  /** Share of the endpoint's saturating rate. */
  share: number;
  /** Requests per second offered, to the endpoint and to the ceiling alike. */
  rate: number;
  endpoint: OpenLoopResult;
  /** The ceiling Worker at the same rate; null when it could not be measured. */
  ceiling: OpenLoopResult | null;
  /** 1-minute load average when the step started. */
  loadAvg1: number;
}

export interface FixedRateEndpoint {
  id: string;
  label: string;
  /** req/s the endpoint saturated at (autocannon, plain workerd, this run). */
  saturationRps: number;
  steps: FixedRateStep[];
}

export interface FixedRateResult {
  runtime: 'workerd';
  warmupS: number;
  durationS: number;
  shares: number[];
  endpoints: FixedRateEndpoint[];
  /** JSON log lines the Worker wrote during the steps, with a few samples. */
  workerLog?: { lines: number; samples: string[] };
}

export interface PlannedEndpoint {
  id: string;
  label: string;
  saturationRps: number;
  steps: { share: number; rate: number }[];
}

/**
 * The steps of each fixed-rate endpoint: its shares of the rate it saturated at, rounded to whole
 * req/s. An endpoint that was not measured, or saturated at no rate, gets no steps.
 */
export function planFixedRate(
  saturation: readonly { id: string; label: string; rps: number }[],
  shares: readonly number[] = FIXED_RATE_SHARES,
): PlannedEndpoint[] {
  const out: PlannedEndpoint[] = [];
  for (const { id } of FIXED_RATE_ENDPOINTS) {
    const s = saturation.find((x) => x.id === id);
    if (!s || !(s.rps > 0)) continue;
    out.push({
      id,
      label: s.label,
      saturationRps: s.rps,
      steps: shares.map((share) => ({ share, rate: Math.max(1, Math.round(share * s.rps)) })),
    });
  }
  return out;
}

/** An endpoint's latency over the ceiling's at the same rate; null when the ceiling's is missing or 0. */
export function latencyRatio(endpointMs: number, ceilingMs: number | undefined): number | null {
  return ceilingMs !== undefined && ceilingMs > 0 ? endpointMs / ceilingMs : null;
}

export function stepRatios(step: FixedRateStep): { p99: number | null; p999: number | null } {
  return {
    p99: latencyRatio(step.endpoint.latency.p99, step.ceiling?.latency.p99),
    p999: latencyRatio(step.endpoint.latency.p999, step.ceiling?.latency.p999),
  };
}

export const pct = (share: number) => `${Math.round(share * 100)} %`;

/** Requests of a step that failed: non-2xx or no response (`failed` counts both; `errors` is the latter). */
const failures = (r: OpenLoopResult) => r.failed;

/** Every step that did not hold its rate, the endpoint's and the ceiling's, in words. */
export function unheldSteps(fixed: FixedRateResult): string[] {
  const out: string[] = [];
  for (const e of fixed.endpoints)
    for (const s of e.steps) {
      const say = (who: string, r: OpenLoopResult | null) => {
        if (r === null) out.push(`${who} ${pct(s.share)} (${s.rate} req/s): not measured`);
        else if (!r.held)
          out.push(`${who} ${pct(s.share)} (${s.rate} req/s): ${r.note ?? `achieved ${r.achievedRate}`}`);
      };
      say(e.label, s.endpoint);
      say(`ceiling beside ${e.label}`, s.ceiling);
    }
  return out;
}

export interface FixedRateVerdict {
  criterion: string;
  measured: string;
  pass: boolean | null;
}

const msText = (x: number) => `${x.toFixed(2)} ms`;

/**
 * The fixed-rate criteria: at the judged share of its saturating rate, each endpoint's p99 and
 * p99.9 against the ceiling's at the same rate, and every step holding its rate. Empty when the run
 * had no fixed-rate steps (so reports without them are unchanged). A step that failed requests or
 * did not hold its rate (endpoint or ceiling) cannot pass: its latency is not the one asked about.
 */
export function fixedRateVerdicts(fixed: FixedRateResult | null | undefined): FixedRateVerdict[] {
  if (!fixed) return [];
  const out: FixedRateVerdict[] = [];
  const a = FIXED_RATE_ACCEPTANCE;
  for (const { id, name } of FIXED_RATE_ENDPOINTS) {
    const e = fixed.endpoints.find((x) => x.id === id);
    const step = e?.steps.find((s) => Math.abs(s.share - a.share) < 1e-9);
    for (const [key, bound, label] of [
      ['p99', a.p99Ratio, 'p99'],
      ['p999', a.p999Ratio, 'p99.9'],
    ] as const) {
      const criterion = `${name} ${label} ≤ ${bound} × the ceiling's at the same fixed rate (${pct(a.share)} of its saturating rate)`;
      if (!step?.ceiling) {
        out.push({ criterion, measured: 'not measured', pass: null });
        continue;
      }
      const r = latencyRatio(step.endpoint.latency[key], step.ceiling.latency[key]);
      const bad = failures(step.endpoint) + failures(step.ceiling);
      const caveats = [
        ...(bad ? [`${bad} failed requests`] : []),
        ...(!step.endpoint.held ? ['the endpoint did not hold the rate'] : []),
        ...(!step.ceiling.held ? ['the ceiling did not hold the rate'] : []),
      ];
      out.push({
        criterion,
        measured: `${msText(step.endpoint.latency[key])} ÷ ${msText(step.ceiling.latency[key])} = ${r === null ? 'n/a' : r.toFixed(2)} at ${step.rate.toLocaleString('en-US')} req/s${caveats.length ? ` (${caveats.join('; ')})` : ''}`,
        pass: r !== null && r <= bound && !caveats.length,
      });
    }
  }
  const total = fixed.endpoints.reduce((n, e) => n + e.steps.length * 2, 0);
  const unheld = unheldSteps(fixed);
  out.push({
    criterion: `each fixed-rate step held its rate within ${HELD_TOLERANCE * 100} %`,
    measured: total
      ? `${total - unheld.length} of ${total} held${unheld.length ? `; not held: ${unheld.join('; ')}` : ''}`
      : 'not measured',
    pass: total ? unheld.length === 0 : null,
  });
  return out;
}
