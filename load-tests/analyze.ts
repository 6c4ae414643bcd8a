// Pure analysis of a scenario's samples: figures overall, per stage and per endpoint, the
// per-second series, the scenario values thresholds refer to (endpoints_ok, drift) and the
// scopes thresholds are evaluated on.
import type { LoadSamples } from '../loadkit/http/load.ts';
import { selectSamples } from '../loadkit/http/samples.ts';
import { httpFigures, latencyFigures, perSecond, type SecondPoint } from '../loadkit/http/summary.ts';
import type { FiguresWithFailures } from './report/types.ts';
import type { Evaluation, ScopeFigures } from './thresholds.ts';

export interface StageWindow {
  label: string;
  connections: number;
  fromMs: number;
  toMs: number;
  /** The responses of this stage's own autocannon run. */
  samples: LoadSamples;
}

const okStatus = (s: number) => s >= 200 && s < 400;

export function failures(s: LoadSamples): number {
  let n = s.errors.length;
  for (const st of s.status) if (!okStatus(st)) n++;
  return n;
}

export function figures(s: LoadSamples, durationS: number): FiguresWithFailures {
  const attempts = s.status.length + s.errors.length;
  return { ...httpFigures(s, durationS), failedRate: attempts ? Math.round((failures(s) / attempts) * 1e6) / 1e6 : 0 };
}

/** A 503 with Retry-After: the database is unavailable and the client is told when to retry. */
export const isRetryable = (s: LoadSamples, i: number) => s.status[i] === 503 && s.retryAfter?.[i] === 1;

/** Failures other than a retryable 503, and requests with no response; undefined without Retry-After data. */
export function unexpectedFailures(s: LoadSamples): number | undefined {
  if (!s.retryAfter) return undefined;
  let n = s.errors.length;
  for (let i = 0; i < s.status.length; i++) if ((s.status[i] as number) >= 400 && !isRetryable(s, i)) n++;
  return n;
}

export function scopeFigures(s: LoadSamples, durationS: number): ScopeFigures {
  const status: Record<string, number> = {};
  for (const st of s.status) status[st] = (status[st] ?? 0) + 1;
  const unexpected = unexpectedFailures(s);
  return {
    latencies: s.ms,
    responses: s.status.length,
    attempts: s.status.length + s.errors.length,
    failed: failures(s),
    durationS,
    status,
    ...(unexpected === undefined ? {} : { unexpectedFailures: unexpected }),
  };
}

export interface Analysis {
  overall: FiguresWithFailures;
  stages: ({ label: string; connections: number } & FiguresWithFailures)[];
  endpoints: ({ endpoint: string } & FiguresWithFailures)[];
  timeline: SecondPoint[];
  scope: Evaluation['scope'];
  values: Record<string, number | string>;
}

const secondsOf = (w: StageWindow) => (w.toMs - w.fromMs) / 1000;

/** `samples` is every stage's samples joined (joinSamples). */
export function analyze(samples: LoadSamples, windows: StageWindow[], expectedEndpoints: string[]): Analysis {
  const startMs = windows[0]?.fromMs ?? 0;
  const endMs = windows[windows.length - 1]?.toMs ?? startMs;
  const totalS = (endMs - startMs) / 1000;
  const inStage = (w: StageWindow) => w.samples;
  const ofEndpoint = (name: string) => selectSamples(samples, (_, e) => e === name);

  const endpointNames = [...new Set([...expectedEndpoints, ...samples.endpoints])];
  const endpoints = endpointNames.map((endpoint) => ({ endpoint, ...figures(ofEndpoint(endpoint), totalS) }));
  const values: Record<string, number | string> = {};
  if (expectedEndpoints.length) {
    const ok = expectedEndpoints.filter((name) => {
      const s = ofEndpoint(name);
      return s.status.some((st) => st >= 200 && st < 300);
    });
    values.endpoints_ok = ok.length / expectedEndpoints.length;
  }
  // Drift: the last third against the first third of the run.
  const third = (endMs - startMs) / 3;
  const first = selectSamples(samples, (at) => at < startMs + third);
  const last = selectSamples(samples, (at) => at >= endMs - third);
  const p95First = latencyFigures(first.ms).p95;
  values.p95_drift = p95First > 0 && last.ms.length ? latencyFigures(last.ms).p95 / p95First : 'not enough responses';
  values.rps_drift =
    first.status.length && last.status.length ? last.status.length / first.status.length : 'not enough responses';

  return {
    overall: figures(samples, totalS),
    stages: windows.map((w) => ({ label: w.label, connections: w.connections, ...figures(inStage(w), secondsOf(w)) })),
    endpoints,
    timeline: perSecond(samples, startMs, Math.ceil(totalS)),
    scope(stage, endpoint) {
      let s = samples;
      let d = totalS;
      if (stage) {
        const w = windows.find((x) => x.label === stage);
        if (!w) return null;
        s = inStage(w);
        d = secondsOf(w);
      }
      if (endpoint) {
        if (!s.endpoints.includes(endpoint)) return null;
        s = selectSamples(s, (_, e) => e === endpoint);
      }
      return scopeFigures(s, d);
    },
    values,
  };
}
