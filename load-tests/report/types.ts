// The JSON a load test writes (load-tests/reports/<timestamp>-<scenario>.json) and the renderer
// reads, for this run and as "the previous run" of the next one.
import type { ErrorSample } from '../../loadkit/http/load.ts';
import type { LatencySummary } from '../../loadkit/http/open-loop.ts';
import type { HttpFigures, SecondPoint } from '../../loadkit/http/summary.ts';

/** A k6-style threshold (load-tests/thresholds.ts parses and evaluates it). */
export interface ThresholdSpec {
  /**
   * http_req_duration | http_req_failed | http_reqs | http_status_<code> (count of responses with
   * that status) | http_unexpected_failures (count: failures other than a 503 with Retry-After) |
   * a scenario value (endpoints_ok, p95_drift, ...).
   */
  metric: string;
  /** k6 syntax: p(95)<100, avg<50, max<1000, rate<0.001, rate==0, rate>=1000, count>0, value<=4. */
  expression: string;
  /** Only the responses of this stage or this endpoint ("GET /records/:id"). */
  stage?: string;
  endpoint?: string;
  /** Where the target comes from (e.g. "SLO: API response time < 100 ms"). */
  source?: string;
}

export interface ThresholdResult extends ThresholdSpec {
  actual: number | null;
  pass: boolean | null;
  note?: string;
}

export interface FiguresWithFailures extends HttpFigures {
  /** (non-2xx/3xx responses + connection errors) ÷ attempts. */
  failedRate: number;
}

export interface LoadTestResult {
  schemaVersion: 1;
  scenario: string;
  summary: string;
  /** ISO time the traffic started. */
  startedAt: string;
  /** File name stem of this report (<timestamp>-<scenario>). */
  id: string;
  durationS: number;
  target: {
    url: string;
    kind: 'local-stack' | 'local-started' | 'explicit';
    runtime: string | null;
  };
  machine: {
    cpuModel: string;
    cores: number;
    node: string;
    autocannon: string;
    loadAvgStart: number[];
    loadAvgEnd: number[];
  };
  settings: {
    plannedDurationS: number;
    stages: { label: string; connections: number; durationS: number; startS: number }[];
    traffic: string;
    /** Share of each endpoint in the request list, %. */
    weights: { endpoint: string; weight: number }[];
    distinctRequests: number;
  };
  overall: FiguresWithFailures;
  endpoints: ({ endpoint: string } & FiguresWithFailures)[];
  stages: ({ label: string; connections: number } & FiguresWithFailures)[];
  timeline: SecondPoint[];
  /** Vertical lines on the charts (stage changes, cache invalidations), seconds since start. */
  markers: { at: number; label: string }[];
  thresholds: ThresholdResult[];
  pass: boolean;
  errorSamples: ErrorSample[];
  connectionErrors: { kind: string; count: number }[];
  /** Things the reader must know (a check that could not run, a fallback taken). */
  notes: string[];
  /** The faults scenario: what was injected when, and how the API answered meanwhile. */
  faults?: FaultReport;
  /** The fixed-rate scenario: each endpoint's saturation probe and its open-loop steps. */
  fixedRate?: FixedRateReport;
}

/** One open-loop step (loadkit/http/open-loop.ts) at a share of an endpoint's saturation rate. */
export interface FixedRateStep {
  /** Share of the saturation rate, 0–1. */
  share: number;
  /** req/s */
  requestedRate: number;
  /** Responses per second over the measured window. */
  achievedRate: number;
  /** Achieved within 5 % of requested, no request abandoned. */
  held: boolean;
  /** Why it was not held. */
  note?: string;
  sent: number;
  completed: number;
  /** Not 2xx, or no response. */
  failed: number;
  /** From each request's intended send time, ms. */
  latency: LatencySummary;
  /** From when it was written, ms (what a closed-loop tool would report). */
  service: LatencySummary;
  /** The generator's own worst lateness in sending, ms. */
  maxSendLagMs: number;
}

export interface FixedRateEndpoint {
  endpoint: string;
  /** 2xx–3xx responses per second of the autocannon probe. */
  saturationRps: number;
  /** Its p99 under saturation (autocannon's clock), ms. */
  probeP99: number;
  probeFailedRate: number;
  /** Empty when the probe saw no successful response (see the notes). */
  steps: FixedRateStep[];
}

export interface FixedRateReport {
  probe: { durationS: number; connections: number };
  /** Each step: warmupS unmeasured, then durationS measured. */
  step: { warmupS: number; durationS: number };
  /** A step is held when its achieved rate is within this share of the requested one. */
  tolerance: number;
  endpoints: FixedRateEndpoint[];
}

/** Responses completed in one window of the run (a fault's, or the time with none). */
export interface FaultWindowFigures {
  /** "UNAVAILABLE", "client drop", or "no fault" (every response outside the windows). */
  label: string;
  /** Seconds since the start of the traffic; null for "no fault". */
  fromS: number | null;
  toS: number | null;
  responses: number;
  ok: number;
  /** 503 with Retry-After: what a client is told to retry. */
  retryable503: number;
  /** 503 without Retry-After. */
  bare503: number;
  /**
   * "no fault" only: its 503s with Retry-After that completed within AFTER_FAULT_MS of a fault
   * window's end (statements failed just before the gateway's expiry, answered just after).
   */
  afterFault503?: number;
  /** Every other status, by code. */
  other: Record<string, number>;
  /** Requests with no response (connection errors, timeouts). */
  noResponse: number;
  p99: number;
  max: number;
  /** Statements the gateway applied this fault to (failed or held); null when its counter could not be read. */
  applied: number | null;
}

/** One endpoint over the windows of the Vitess errors: answered from a cache, or 503. */
export interface EndpointFaultFigures {
  endpoint: string;
  responses: number;
  ok: number;
  retryable503: number;
  /** Anything else: 503 without Retry-After, other statuses, no response. */
  other: number;
  /** X-Cache of the 2xx responses (HIT-L1, HIT-L2, STALE, MISS, or "none"). */
  okXCache: Record<string, number>;
}

export interface BurstResponse {
  /** null: no response (the request failed or timed out). */
  status: number | null;
  retryAfter: boolean;
  /** Until the whole body arrived, ms. */
  ms: number;
  error?: string;
}

export interface DropReport {
  /** The request dropped and then sent in a burst; its key was not cached when it was chosen. */
  method: 'GET';
  path: string;
  /** RegExp source of the hold on the gateway: the statement of that key's load. */
  match: string;
  holdMs: number;
  abortAfterMs: number;
  /** The dropped request: aborted as planned, or answered before the abort. */
  first: { aborted: true } | { aborted: false; status: number | null; ms: number; error?: string };
  burst: BurstResponse[];
  /** Distinct pagination.total_items among the burst's 200s (1: every waiter got the same load). */
  distinctTotals: number;
  /** Whether the key's count was absent from the cache when chosen; null when the cache could not be read. */
  coldKey: boolean | null;
}

export interface FaultReport {
  /** The gateway the faults went to: the Worker's own (DATABASE_URL, reader role), host:port. */
  gateway: string;
  /** DB_TIMEOUT_MS of the Worker (wrangler.toml [vars]): the latency bounds are this + 1 s. */
  dbTimeoutMs: number;
  /** What was done when, seconds since the start of the traffic. */
  timeline: { at: number; event: string }[];
  /** "no fault" first, then one row per injected fault, in order. */
  windows: FaultWindowFigures[];
  /** Per endpoint over the windows of the Vitess errors together. */
  duringFaults: EndpointFaultFigures[];
  drop: DropReport | null;
}
