// Pure figures from a run's samples: throughput, latency percentiles over every response, status
// breakdown, and per-second series. Used by the bench and the load tests alike.
import type { LoadSamples } from './load.ts';

/** X-Cache values as the probe codes them (probe-client.cjs CACHE_CODES); 0 = no header. */
export const CACHE_TIERS = ['', 'HIT-L1', 'HIT-L2', 'MISS', 'STALE', 'other'] as const;

export interface LatencyFigures {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface HttpFigures {
  /** Responses received. */
  requests: number;
  /** Responses per second over the run's wall time. */
  rps: number;
  durationS: number;
  /** Over every response, whatever its status, ms. */
  latency: LatencyFigures;
  /** Responses by status code. */
  status: Record<string, number>;
  non2xx: number;
  /** Connection errors and timeouts (no response at all). */
  errors: number;
  timeouts: number;
  /** Responses by X-Cache header (which cache tier answered), as the client saw them. */
  xCache: Record<string, number>;
  /**
   * CPU time of the workerd process per response over the whole run (warm-up included), µs;
   * absent under Miniflare, whose workerd sits behind a Node proxy.
   */
  cpuUsPerResponse?: number;
  /** How the slow responses arrived (the bench's runs; see slowBursts). */
  tail?: TailFigures;
}

/**
 * Slow responses grouped by when they completed. A burst as wide as the connection count means
 * the server stopped answering everyone at once (a pause of the process or the isolate); slow
 * responses one by one mean slow requests.
 */
export interface TailFigures {
  /** Responses slower than this count as slow, ms. */
  overMs: number;
  slow: number;
  /** Groups of slow responses, each completing within `gapMs` of the one before. */
  bursts: number;
  gapMs: number;
  medianBurst: number;
  largestBurst: number;
}

export interface SecondPoint {
  /** Seconds since the start of the run. */
  second: number;
  ok: number;
  non2xx: number;
  errors: number;
  p95: number;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of sorted values (q in 0..100). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export function latencyFigures(values: ArrayLike<number>): LatencyFigures {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    mean: round(sorted.length ? sum / sorted.length : 0),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length ? (sorted[sorted.length - 1] as number) : 0),
  };
}

export function httpFigures(samples: LoadSamples, durationS: number): HttpFigures {
  const status: Record<string, number> = {};
  let non2xx = 0;
  for (const s of samples.status) {
    status[s] = (status[s] ?? 0) + 1;
    if (s < 200 || s > 299) non2xx++;
  }
  const timeouts = samples.errors.filter((e) => e.kind === 'timeout').length;
  const xCache: Record<string, number> = {};
  for (const c of samples.cache)
    if (c) xCache[CACHE_TIERS[c] ?? 'other'] = (xCache[CACHE_TIERS[c] ?? 'other'] ?? 0) + 1;
  return {
    requests: samples.status.length,
    rps: round(durationS > 0 ? samples.status.length / durationS : 0, 1),
    durationS: round(durationS),
    latency: latencyFigures(samples.ms),
    status,
    non2xx,
    errors: samples.errors.length,
    timeouts,
    xCache,
  };
}

export function slowBursts(samples: Pick<LoadSamples, 'at' | 'ms'>, overMs = 20, gapMs = 5): TailFigures {
  const at: number[] = [];
  for (let i = 0; i < samples.ms.length; i++) if ((samples.ms[i] as number) > overMs) at.push(samples.at[i] as number);
  at.sort((a, b) => a - b);
  const sizes: number[] = [];
  for (let i = 0; i < at.length; i++) {
    if (i > 0 && (at[i] as number) - (at[i - 1] as number) <= gapMs) sizes[sizes.length - 1]!++;
    else sizes.push(1);
  }
  sizes.sort((a, b) => a - b);
  return {
    overMs,
    slow: at.length,
    bursts: sizes.length,
    gapMs,
    medianBurst: percentile(sizes, 50),
    largestBurst: sizes.at(-1) ?? 0,
  };
}

/** Per-second counts and p95 from `startMs` on (seconds with no response appear with zeros). */
export function perSecond(samples: LoadSamples, startMs: number, seconds?: number): SecondPoint[] {
  const last = samples.at.length ? Math.floor(((samples.at[samples.at.length - 1] as number) - startMs) / 1000) : -1;
  const n = Math.max(seconds ?? 0, last + 1, 0);
  const lat: number[][] = Array.from({ length: n }, () => []);
  const points: SecondPoint[] = Array.from({ length: n }, (_, second) => ({
    second,
    ok: 0,
    non2xx: 0,
    errors: 0,
    p95: 0,
  }));
  for (let i = 0; i < samples.at.length; i++) {
    const sec = Math.floor(((samples.at[i] as number) - startMs) / 1000);
    const p = points[sec];
    if (!p) continue;
    const s = samples.status[i] as number;
    if (s >= 200 && s <= 299) p.ok++;
    else p.non2xx++;
    lat[sec]!.push(samples.ms[i] as number);
  }
  for (const e of samples.errors) {
    const p = points[Math.floor((e.at - startMs) / 1000)];
    if (p) p.errors++;
  }
  points.forEach(
    (p, i) =>
      (p.p95 = round(
        percentile(
          lat[i]!.sort((a, b) => a - b),
          95,
        ),
      )),
  );
  return points;
}
