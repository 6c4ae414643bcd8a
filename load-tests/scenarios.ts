// The load-test scenarios: stages (connections over time), the traffic each sends, and their
// k6-style thresholds. Targets marked "SLO" are the service-level objectives of
// docs/measuring.md#service-level-objectives (API response time < 100 ms, error rate < 0.1 %,
// 1000 req/s); the others say why they are what they are.
import { DROP, FAULTS_MIN_DURATION_S } from './faults.ts';
import type { ThresholdSpec } from './report/types.ts';
import type { TrafficKind } from './traffic.ts';

export type ScenarioName = 'smoke' | 'steady' | 'spike' | 'soak' | 'cache-stampede' | 'mixed' | 'faults' | 'fixed-rate';

/** fixed-rate: a closed-loop saturation probe per endpoint, then open-loop steps at shares of its rate. */
export interface FixedRateSpec {
  /** Endpoints, each driven alone ("POST /simulate"), in this order. */
  endpoints: string[];
  /** Shares of the probe's rate the steps run at, in order. */
  shares: number[];
  /** The autocannon probe per endpoint, s. */
  probeS: number;
  /** Each step's unmeasured warm-up at its rate, s (part of the step's length). */
  warmupS: number;
}

export interface StageSpec {
  label: string;
  /** Share of the scenario's duration. */
  share: number;
  /** Connections in this stage, from the scenario's (or --connections') base. */
  connections: (base: number) => number;
}

export interface Scenario {
  name: ScenarioName;
  summary: string;
  defaultDurationS: number;
  defaultConnections: number;
  stages: StageSpec[];
  traffic: TrafficKind;
  thresholds: ThresholdSpec[];
  /** cache-stampede: delete the stats keys this often while traffic runs (local targets). */
  invalidateEveryS?: number;
  /** faults: inject errors on the Worker's own PlanetScale gateway (local targets only). */
  injectsFaults?: boolean;
  /** Shortest --duration that still runs the scenario as designed, s. */
  minDurationS?: number;
  /** Thresholds bound to the Worker's DB_TIMEOUT_MS (wrangler.toml), after `thresholds`. */
  timeoutThresholds?: (dbTimeoutMs: number) => ThresholdSpec[];
  /** fixed-rate: runs load-tests/fixed-rate.ts instead of connection stages (`stages` is unused). */
  fixedRate?: FixedRateSpec;
}

const P95_SLO: ThresholdSpec = {
  metric: 'http_req_duration',
  expression: 'p(95)<100',
  source: 'SLO: API response time < 100 ms',
};
const FAILED_SLO: ThresholdSpec = {
  metric: 'http_req_failed',
  expression: 'rate<0.001',
  source: 'SLO: error rate < 0.1 %',
};
const one = (label: string): StageSpec[] => [{ label, share: 1, connections: (c) => c }];

export const FIXED_RATE: FixedRateSpec = {
  endpoints: ['POST /simulate', 'GET /stats/risk', 'GET /records'],
  shares: [0.25, 0.5, 0.75, 0.9],
  probeS: 3,
  warmupS: 1,
};
/** Share of the probe's rate whose p99 is held to the SLO. */
export const FIXED_RATE_SLO_SHARE = 0.5;
/** A step's label: "50%". */
export const shareLabel = (share: number) => `${Math.round(share * 100)}%`;

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  smoke: {
    name: 'smoke',
    summary: 'Every endpoint at a trickle (2 connections): does everything answer, correctly and fast?',
    defaultDurationS: 10,
    defaultConnections: 2,
    stages: one('smoke'),
    traffic: 'every-endpoint',
    thresholds: [
      { metric: 'http_req_failed', expression: 'rate==0', source: 'a smoke test tolerates no failure' },
      P95_SLO,
      { metric: 'endpoints_ok', expression: 'value==1', source: 'every endpoint answered 2xx at least once' },
    ],
  },
  steady: {
    name: 'steady',
    summary: 'Constant load on the hot path (/simulate and the cached stats): the SLOs at a steady rate.',
    defaultDurationS: 30,
    defaultConnections: 20,
    stages: one('steady'),
    traffic: 'hot',
    thresholds: [
      P95_SLO,
      { metric: 'http_req_duration', expression: 'p(99)<250', source: 'tail bound: 2.5 × the p95 SLO' },
      FAILED_SLO,
      { metric: 'http_reqs', expression: 'rate>=1000', source: 'SLO: 1000 RPS' },
    ],
  },
  spike: {
    name: 'spike',
    summary: 'A sudden 20× jump in connections and back: errors stay rare, latency degrades and recovers.',
    defaultDurationS: 30,
    defaultConnections: 5,
    stages: [
      { label: 'baseline', share: 0.2, connections: (c) => c },
      { label: 'spike', share: 0.4, connections: (c) => c * 20 },
      { label: 'recovery', share: 0.4, connections: (c) => c },
    ],
    traffic: 'mixed',
    thresholds: [
      FAILED_SLO,
      {
        metric: 'http_req_duration',
        stage: 'spike',
        expression: 'p(95)<500',
        source: 'degrades, does not collapse: 5 × the p95 SLO',
      },
      { ...P95_SLO, stage: 'recovery', source: 'the p95 SLO, once the spike is over' },
    ],
  },
  soak: {
    name: 'soak',
    summary: 'Mixed traffic held for a while (short by default; --duration 30m for a real soak): no drift.',
    defaultDurationS: 60,
    defaultConnections: 20,
    stages: one('soak'),
    traffic: 'mixed',
    thresholds: [
      P95_SLO,
      FAILED_SLO,
      { metric: 'p95_drift', expression: 'value<=1.5', source: 'p95 of the last third ÷ p95 of the first third' },
      { metric: 'rps_drift', expression: 'value>=0.8', source: 'req/s of the last third ÷ req/s of the first third' },
    ],
  },
  'cache-stampede': {
    name: 'cache-stampede',
    summary:
      'The stats keys are deleted every 5 s under 50 connections: single-flight must keep database loads to one per key.',
    defaultDurationS: 30,
    defaultConnections: 50,
    stages: one('stampede'),
    traffic: 'stats',
    invalidateEveryS: 5,
    thresholds: [
      P95_SLO,
      FAILED_SLO,
      {
        metric: 'db_statements_per_invalidation',
        expression: 'value<=6',
        source: 'single-flight: one load per key per invalidation (3 statements), ×2 slack; a stampede makes hundreds',
      },
    ],
  },
  mixed: {
    name: 'mixed',
    summary: 'A realistic profile: /simulate, stats, /records pages and ids, /health, weighted.',
    defaultDurationS: 30,
    defaultConnections: 30,
    stages: one('mixed'),
    traffic: 'mixed',
    thresholds: [
      P95_SLO,
      { metric: 'http_req_duration', expression: 'p(99)<500', source: 'tail bound' },
      FAILED_SLO,
      {
        metric: 'http_req_duration',
        endpoint: 'GET /records',
        expression: 'p(95)<200',
        source: 'the slowest endpoint within 2 × the SLO',
      },
      {
        metric: 'http_req_duration',
        endpoint: 'GET /records/:id',
        expression: 'p(95)<200',
        source: 'the slowest endpoint within 2 × the SLO',
      },
    ],
  },
  faults: {
    name: 'faults',
    summary:
      "Mixed traffic while the Worker's database fails with each transient Vitess error in turn, then a client drops mid-load: only 503s with Retry-After, none late, none 500.",
    defaultDurationS: 30,
    defaultConnections: 10,
    stages: one('faults'),
    traffic: 'faults',
    injectsFaults: true,
    minDurationS: FAULTS_MIN_DURATION_S,
    thresholds: [
      {
        metric: 'http_status_500',
        expression: 'count==0',
        source: 'a failing database is never an internal error: the API answers 503 or a cached copy',
      },
      {
        metric: 'http_unexpected_failures',
        expression: 'count==0',
        source:
          'every failed response is a 503 with Retry-After, which a client can act on; any other status ≥ 400, or no response, counts here',
      },
      {
        metric: 'client_drop_answered',
        expression: 'value==1',
        source: `after a client drops during a load, each of a burst of ${DROP.burst} for the same key is answered 2xx or 503 with Retry-After (share)`,
      },
      {
        metric: 'faults_applied',
        expression: 'value==1',
        source:
          'each Vitess error failed statements and the hold held the dropped load (share of the 5): a fault that never applied is a check not made',
      },
    ],
    timeoutThresholds: (db) => [
      {
        metric: 'http_req_duration',
        expression: `max<=${db + 1000}`,
        source: `no request waits on the database past its bound: DB_TIMEOUT_MS (${db} ms, wrangler.toml) + 1 s`,
      },
      {
        metric: 'client_drop_max_ms',
        expression: `value<=${db + 1000}`,
        source: `the burst's slowest answer, whether it waited on the dropped client's load or loaded itself: DB_TIMEOUT_MS + 1 s`,
      },
    ],
  },
  'fixed-rate': {
    name: 'fixed-rate',
    summary:
      "Per endpoint (/simulate, cached /stats/risk, /records pages) a 3 s saturation probe, then open-loop steps at 25, 50, 75 and 90 % of its rate, latency from each request's intended send time. 69 s by default: 3 × (3 s probe + 4 × (1 s warm-up + 4 s measured)); --duration scales the steps.",
    defaultDurationS: 69,
    defaultConnections: 50,
    stages: one('fixed-rate'),
    traffic: 'hot',
    fixedRate: FIXED_RATE,
    // The shortest run with steps of 1 s warm-up + 1 s measured.
    minDurationS: 3 * (FIXED_RATE.probeS + FIXED_RATE.shares.length * (FIXED_RATE.warmupS + 1)),
    thresholds: [
      {
        metric: 'open_loop_steps_not_held',
        expression: 'count==0',
        source:
          'every step held its requested rate within 5 % (loadkit/http/open-loop.ts): a step that did not measured a queue, not the service',
      },
      ...FIXED_RATE.endpoints.map(
        (endpoint): ThresholdSpec => ({
          metric: 'open_loop_p99',
          stage: shareLabel(FIXED_RATE_SLO_SHARE),
          endpoint,
          expression: 'value<100',
          source:
            'SLO: API response time < 100 ms, at half the rate the endpoint saturated at (from intended send time)',
        }),
      ),
    ],
  },
};

/** The thresholds of a run: the scenario's own, then those bound to the Worker's DB_TIMEOUT_MS. */
export const thresholdsOf = (s: Scenario, dbTimeoutMs: number): ThresholdSpec[] => [
  ...s.thresholds,
  ...(s.timeoutThresholds?.(dbTimeoutMs) ?? []),
];

export const SCENARIO_NAMES = Object.keys(SCENARIOS) as ScenarioName[];

export interface PlannedStage {
  label: string;
  connections: number;
  durationS: number;
}

/** Stages in whole seconds (each at least 1 s) for a total duration and base connections. */
export function planStages(s: Scenario, durationS: number, connections: number): PlannedStage[] {
  return s.stages.map((st) => ({
    label: st.label,
    connections: Math.max(1, st.connections(connections)),
    durationS: Math.max(1, Math.round(st.share * durationS)),
  }));
}

/** "30s", "10m", "1h", "45" (seconds) → whole seconds, at least 1. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration must look like 30s, 5m or 1h, got '${text}'`);
  const n = Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (n < 1) throw new Error(`--duration must be at least 1s, got '${text}'`);
  return Math.round(n);
}
