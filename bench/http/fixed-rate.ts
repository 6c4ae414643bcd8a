// Latency at a fixed offered load under plain workerd: each fixed-rate endpoint at shares of the rate
// it saturated at in this run (bench/report/fixed-rate.ts plans the steps), and the ceiling Worker at
// the same absolute rate right after each step, so the two see the same machine. Each endpoint gets
// a new API process and a new ceiling process, started together: both then have the same history
// of load. (V8 grows an isolate's young generation under steady load, and each collection of it
// stops the isolate longer: a process that had served the saturation runs would be judged against
// a fresh ceiling. The pauses part shows it: bench/http/pauses.ts.) Every step is the
// open-loop generator (loadkit/http/open-loop.ts, on a worker thread of its own: open-loop-thread.ts):
// latency from each request's intended send time.
import { openLoopOnThread } from '../../loadkit/http/open-loop-thread.ts';
import { muteWorkerLogs } from '../../loadkit/http/worker-log.ts';
import { loadAverage } from '../../loadkit/report/environment.ts';
import type { RunningWorker } from '../../local/miniflare-worker.ts';
import {
  FIXED_RATE_SHARES,
  type FixedRateEndpoint,
  type FixedRateResult,
  pct,
  planFixedRate,
} from '../report/fixed-rate.ts';
import type { RuntimeResult } from '../report/types.ts';
import type { BenchStack } from './bench-stack.ts';
import { CEILING_PLAN, type EndpointPlan } from './endpoints.ts';

export interface FixedRateSettings {
  warmupS: number;
  durationS: number;
  log: (msg: string) => void;
}

/** Runs the steps; `saturation` is the plain-workerd result of this run whose req/s plans them. */
export async function measureFixedRate(
  bench: BenchStack,
  plan: readonly EndpointPlan[],
  saturation: RuntimeResult,
  s: FixedRateSettings,
): Promise<FixedRateResult> {
  const planned = planFixedRate(
    saturation.endpoints.map((e) => ({ id: e.id, label: e.label, rps: e.figures.rps })),
    FIXED_RATE_SHARES,
  );
  const endpoints: FixedRateEndpoint[] = [];
  const result: FixedRateResult = {
    runtime: 'workerd',
    warmupS: s.warmupS,
    durationS: s.durationS,
    shares: [...FIXED_RATE_SHARES],
    endpoints,
  };
  if (!planned.length) return result;
  let started: RunningWorker[] = [];
  const closeStarted = async () => {
    for (const w of started) await w.close().catch(() => {});
    started = [];
  };
  // No launcher: workerd itself, a new process per call (bench.api() would be the stack's own).
  const fresh = bench.launched({ launcher: [], startupTimeoutMs: 30_000 });
  const mute = muteWorkerLogs();
  try {
    for (const p of planned) {
      const requests = plan.find((x) => x.id === p.id)?.requests;
      if (!requests?.length) continue;
      await closeStarted();
      const api = await fresh.api();
      started.push(api);
      const ceiling = await fresh.ceiling();
      started.push(ceiling);
      const e: FixedRateEndpoint = { id: p.id, label: p.label, saturationRps: p.saturationRps, steps: [] };
      endpoints.push(e);
      for (const step of p.steps) {
        const loadAvg1 = loadAverage()[0] ?? 0;
        const opts = { rate: step.rate, durationS: s.durationS, warmupS: s.warmupS };
        const mine = await openLoopOnThread({ ...opts, url: api.url, requests });
        const theirs = await openLoopOnThread({ ...opts, url: ceiling.url, requests: CEILING_PLAN.requests }).catch(
          (err: unknown) => {
            s.log(`  ceiling at ${step.rate} req/s failed: ${(err as Error).message}`);
            return null;
          },
        );
        e.steps.push({ share: step.share, rate: step.rate, endpoint: mine, ceiling: theirs, loadAvg1 });
        const say = (r: typeof mine) =>
          `${r.achievedRate} req/s${r.held ? '' : ' NOT HELD'} p99 ${r.latency.p99.toFixed(2)} p99.9 ${r.latency.p999.toFixed(2)} ms`;
        s.log(
          `  ${p.label.padEnd(26)} ${pct(step.share).padStart(4)} ${String(step.rate).padStart(6)} req/s: ${say(mine)} | ceiling ${theirs ? say(theirs) : 'failed'}`,
        );
      }
    }
  } finally {
    await new Promise((r) => setTimeout(r, 100));
    const workerLog = mute.stop();
    if (workerLog.lines) result.workerLog = workerLog;
    for (const w of started.reverse()) await w.close().catch(() => {});
  }
  return result;
}
