// The fixed-rate scenario: per endpoint, a short closed-loop saturation probe (autocannon,
// loadkit/http/load.ts) says how many responses per second it gives at most here; then open-loop
// steps (loadkit/http/open-loop.ts) offer 25, 50, 75 and 90 % of that rate, each request's latency
// counted from its intended send time, so queueing shows as latency instead of as requests never
// sent. planFixedRate, stepRates and fixedRateValues are pure (unit-tested).
import { runLoad } from '../loadkit/http/load.ts';
import { HELD_TOLERANCE, openLoop } from '../loadkit/http/open-loop.ts';
import { joinSamples } from '../loadkit/http/samples.ts';
import { muteWorkerLogs } from '../loadkit/http/worker-log.ts';
import type { StageWindow } from './analyze.ts';
import { type Execution, unmuteWorkerLogs } from './execute.ts';
import type { Progress } from './progress.ts';
import type { FixedRateEndpoint, FixedRateReport } from './report/types.ts';
import { type FixedRateSpec, shareLabel } from './scenarios.ts';
import type { Target } from './target.ts';
import { valueKey } from './thresholds.ts';
import type { Traffic } from './traffic.ts';

export interface FixedRatePlan {
  endpoints: string[];
  shares: number[];
  probeS: number;
  connections: number;
  warmupS: number;
  /** Measured seconds of each step (after its warm-up). */
  stepS: number;
  /** Probes and steps of every endpoint, s (the pauses between them aside). */
  totalS: number;
}

/**
 * Splits --duration evenly between the endpoints; each gets its probe, then its steps share the
 * rest in whole seconds (warm-up included), at least 1 s measured each.
 */
export function planFixedRate(spec: FixedRateSpec, durationS: number, connections: number): FixedRatePlan {
  const perEndpoint = durationS / spec.endpoints.length;
  const step = Math.floor((perEndpoint - spec.probeS) / spec.shares.length);
  const stepS = Math.max(1, step - spec.warmupS);
  return {
    endpoints: [...spec.endpoints],
    shares: [...spec.shares],
    probeS: spec.probeS,
    connections,
    warmupS: spec.warmupS,
    stepS,
    totalS: spec.endpoints.length * (spec.probeS + spec.shares.length * (spec.warmupS + stepS)),
  };
}

/** The rate of each step, whole req/s, at least 1. */
export const stepRates = (saturationRps: number, shares: readonly number[]) =>
  shares.map((share) => Math.max(1, Math.round(saturationRps * share)));

/**
 * The values the scenario's thresholds read: steps not held (over every endpoint), and each
 * endpoint's p99 per step, keyed as thresholds.ts' valueKey tags them.
 */
export function fixedRateValues(report: FixedRateReport): Record<string, number | string> {
  const values: Record<string, number | string> = {};
  const unprobed = report.endpoints.filter((e) => !e.steps.length).map((e) => e.endpoint);
  const steps = report.endpoints.flatMap((e) => e.steps);
  values.open_loop_steps_not_held = unprobed.length
    ? `no steps for ${unprobed.join(', ')}: its probe saw no successful response`
    : steps.filter((s) => !s.held).length;
  for (const e of report.endpoints) {
    for (const s of e.steps)
      values[valueKey({ metric: 'open_loop_p99', stage: shareLabel(s.share), endpoint: e.endpoint })] = s.latency.p99;
  }
  return values;
}

const okStatus = (s: number) => s >= 200 && s < 400;

/** Runs each endpoint's probe and steps, one after the other. */
export async function executeFixedRate(
  plan: FixedRatePlan,
  target: Target,
  trafficOf: (endpoint: string) => Traffic,
  progress: Progress,
): Promise<Execution & { fixedRate: FixedRateReport; endMs: number }> {
  const notes: string[] = [];
  const markers: { at: number; label: string }[] = [];
  const windows: StageWindow[] = [];
  const endpoints: FixedRateEndpoint[] = [];
  const t0 = Date.now();
  const since = () => Math.round((Date.now() - t0) / 100) / 10;
  const mute = target.kind === 'local-started' ? muteWorkerLogs() : null;
  let endMs = t0;
  try {
    for (const endpoint of plan.endpoints) {
      const { requests } = trafficOf(endpoint);
      const label = `probe ${endpoint}`;
      if (windows.length) markers.push({ at: since(), label });
      progress.stage(label, plan.connections);
      const fromMs = Date.now();
      const run = await runLoad({
        url: target.url,
        requests,
        connections: plan.connections,
        durationS: plan.probeS,
        shuffle: true,
        onBatch: (b) => progress.batch(b),
      });
      const toMs = Date.now();
      windows.push({ label, connections: plan.connections, fromMs, toMs, samples: run.samples });
      const s = run.samples;
      let ok = 0;
      for (const st of s.status) if (okStatus(st)) ok++;
      const attempts = s.status.length + s.errors.length;
      const sorted = Float64Array.from(s.ms).sort();
      const saturationRps = Math.round((ok / Math.max(0.001, run.durationS || plan.probeS)) * 10) / 10;
      const row: FixedRateEndpoint = {
        endpoint,
        saturationRps,
        probeP99: sorted.length
          ? Math.round((sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] as number) * 100) / 100
          : 0,
        probeFailedRate: attempts ? Math.round(((attempts - ok) / attempts) * 1e6) / 1e6 : 0,
        steps: [],
      };
      endpoints.push(row);
      if (ok === 0) {
        notes.push(`The probe of ${endpoint} saw no successful response: its steps were not run.`);
        continue;
      }
      const rates = stepRates(saturationRps, plan.shares);
      for (const [i, share] of plan.shares.entries()) {
        const rate = rates[i]!;
        markers.push({ at: since(), label: `${shareLabel(share)}` });
        progress.note(`${endpoint} at ${shareLabel(share)} of ${saturationRps} req/s: ${rate} req/s, open loop`);
        const r = await openLoop({
          url: target.url,
          requests,
          rate,
          durationS: plan.stepS,
          warmupS: plan.warmupS,
        });
        row.steps.push({
          share,
          requestedRate: r.requestedRate,
          achievedRate: r.achievedRate,
          held: r.held,
          ...(r.note ? { note: r.note } : {}),
          sent: r.sent,
          completed: r.completed,
          failed: r.failed,
          latency: r.latency,
          service: r.service,
          maxSendLagMs: r.maxSendLagMs,
        });
        progress.note(
          `${endpoint} ${shareLabel(share)}: ${r.achievedRate}/${rate} req/s ${r.held ? 'held' : 'NOT held'}, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, p99.9 ${r.latency.p999} ms, max ${r.latency.max} ms`,
        );
      }
    }
  } finally {
    endMs = Date.now();
    const logged = await unmuteWorkerLogs(mute);
    if (logged) notes.push(logged);
  }
  const samples = joinSamples(windows.map((w) => w.samples));
  return {
    samples,
    windows,
    markers,
    values: {},
    notes,
    errorSamples: samples.errorSamples,
    endMs,
    fixedRate: {
      probe: { durationS: plan.probeS, connections: plan.connections },
      step: { warmupS: plan.warmupS, durationS: plan.stepS },
      tolerance: HELD_TOLERANCE,
      endpoints,
    },
  };
}
