// k6-style thresholds ("http_req_duration p(95)<100") and their evaluation against a run's
// figures. Pure: a threshold that cannot be evaluated is data (pass: null, with the reason).
import type { ThresholdResult, ThresholdSpec } from './report/types.ts';

/** What thresholds are evaluated against, for one scope (everything, a stage, an endpoint). */
export interface ScopeFigures {
  latencies: ArrayLike<number>;
  responses: number;
  /** Responses plus connection errors and timeouts. */
  attempts: number;
  /** Responses outside 200–399 (k6's default expected statuses) plus connection errors and timeouts. */
  failed: number;
  durationS: number;
  /** Responses by status code. */
  status?: Record<string, number>;
  /**
   * Failures a client cannot act on: responses of status ≥ 400 other than a 503 carrying
   * Retry-After, plus requests with no response. Absent when Retry-After was not recorded.
   */
  unexpectedFailures?: number;
}

export interface Evaluation {
  scope: (stage?: string, endpoint?: string) => ScopeFigures | null;
  /** Scenario values; a string says why the value is not available. */
  values: Record<string, number | string>;
}

const EXPR = /^\s*(p\((\d+(?:\.\d+)?)\)|avg|max|min|rate|count|value)\s*(<=|<|>=|>|==)\s*(-?\d+(?:\.\d+)?)\s*$/;

export function parseExpression(expression: string): { agg: string; q?: number; op: string; target: number } {
  const m = EXPR.exec(expression);
  if (!m) throw new Error(`Unknown threshold expression '${expression}'`);
  return { agg: m[2] ? 'p' : m[1]!, ...(m[2] ? { q: Number(m[2]) } : {}), op: m[3]!, target: Number(m[4]) };
}

export function compare(actual: number, op: string, target: number): boolean {
  switch (op) {
    case '<':
      return actual < target;
    case '<=':
      return actual <= target;
    case '>':
      return actual > target;
    case '>=':
      return actual >= target;
    default:
      return actual === target;
  }
}

/** Nearest-rank percentile of unsorted values. */
function percentileOf(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1))] as number;
}

function httpValue(spec: ThresholdSpec, agg: string, q: number | undefined, f: ScopeFigures): number | string {
  if (spec.metric === 'http_req_duration') {
    if (!f.latencies.length) return 'no responses';
    if (agg === 'p') return percentileOf(f.latencies, q ?? 95);
    const arr = Array.from(f.latencies);
    if (agg === 'avg') return arr.reduce((a, b) => a + b, 0) / arr.length;
    if (agg === 'max') return Math.max(...arr);
    if (agg === 'min') return Math.min(...arr);
  }
  if (spec.metric === 'http_req_failed' && agg === 'rate')
    return f.attempts === 0 ? 'no requests' : f.failed / f.attempts;
  if (spec.metric === 'http_reqs') {
    if (agg === 'rate') return f.durationS > 0 ? f.responses / f.durationS : 0;
    if (agg === 'count') return f.responses;
  }
  const code = /^http_status_(\d{3})$/.exec(spec.metric)?.[1];
  if (code && agg === 'count') return f.status ? (f.status[code] ?? 0) : 'status codes not recorded';
  if (spec.metric === 'http_unexpected_failures' && agg === 'count')
    return f.unexpectedFailures ?? 'Retry-After not recorded';
  return `${agg} is not defined for ${spec.metric}`;
}

/**
 * The key of a scenario value in Evaluation.values: the metric, with its stage and endpoint tags
 * when it has any ("open_loop_p99{stage:50%,endpoint:POST /simulate}"), as k6 tags a sub-metric.
 */
export function valueKey(spec: Pick<ThresholdSpec, 'metric' | 'stage' | 'endpoint'>): string {
  const tags = [spec.stage && `stage:${spec.stage}`, spec.endpoint && `endpoint:${spec.endpoint}`].filter(Boolean);
  return tags.length ? `${spec.metric}{${tags.join(',')}}` : spec.metric;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function evaluate(specs: readonly ThresholdSpec[], ev: Evaluation): ThresholdResult[] {
  return specs.map((spec) => {
    const { agg, q, op, target } = parseExpression(spec.expression);
    let actual: number | string;
    if (spec.metric.startsWith('http_')) {
      const f = ev.scope(spec.stage, spec.endpoint);
      actual = f
        ? httpValue(spec, agg, q, f)
        : `no such ${spec.stage ? `stage '${spec.stage}'` : `endpoint '${spec.endpoint}'`}`;
    } else actual = ev.values[valueKey(spec)] ?? 'not measured';
    if (typeof actual === 'string') return { ...spec, actual: null, pass: null, note: actual };
    return { ...spec, actual: round(actual), pass: compare(actual, op, target) };
  });
}

/** The run passes when no evaluated threshold fails (k6: a threshold that cannot be evaluated is reported, not failed). */
export const passed = (results: readonly ThresholdResult[]) => results.every((r) => r.pass !== false);
