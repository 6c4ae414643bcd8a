// The pauses: the ceiling, the floors, POST /simulate and the cached stats under plain workerd, one
// after another at the same fixed offered load (open loop, latency from each request's intended
// send time), each workerd with V8's `--trace-gc-nvp` on. workerd runs under `stdbuf -oL`: V8 prints
// the trace with C stdio, which a pipe would otherwise hold in a 4 KiB buffer, and each line must
// arrive when its collection ends to be set beside the stalls (bench/report/pauses.ts).
import { execFileSync } from 'node:child_process';
import { openLoopOnThread } from '../../loadkit/http/open-loop-thread.ts';
import { STALL_MS } from '../../loadkit/http/open-loop.ts';
import type { RunningWorker } from '../../local/miniflare-worker.ts';
import { type GcEvent, type PausesResult, parseGcTrace, pauseFigures } from '../report/pauses.ts';
import type { BenchStack } from './bench-stack.ts';
import { CEILING_PLAN, type EndpointPlan } from './endpoints.ts';

/** In this order: the ceiling first, then what adds to it. */
export const PAUSE_INSTANCES = ['ceiling', 'floor-get', 'floor-post', 'simulate', 'stats-risk', 'stats-age'] as const;

export interface PauseSettings {
  /** req/s offered to every instance. */
  rate: number;
  /** Windows of `durationS` for which one ceiling process is kept under the same load. */
  ceilingWindows: number;
  warmupS: number;
  durationS: number;
  log: (msg: string) => void;
}

/** Why the part cannot run here, or null. */
function stdbufMissing(): string | null {
  try {
    execFileSync('stdbuf', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'stdbuf (GNU coreutils) is not installed: it line-buffers the trace V8 prints';
  }
}

export async function measurePauses(
  bench: BenchStack,
  plan: readonly EndpointPlan[],
  s: PauseSettings,
): Promise<PausesResult> {
  const result: PausesResult = {
    runtime: 'workerd',
    rate: s.rate,
    warmupS: s.warmupS,
    durationS: s.durationS,
    stallMs: STALL_MS,
    instances: [],
  };
  const missing = stdbufMissing();
  if (missing) return { ...result, skipped: missing };
  const events: GcEvent[] = [];
  const launched = bench.launched({
    launcher: ['stdbuf', '-oL', '-eL'],
    startupTimeoutMs: 30_000,
    v8Flags: ['--trace-gc-nvp'],
    onOutput: (chunk) => events.push(...parseGcTrace(chunk, Date.now())),
  });
  const byId = new Map([...plan, CEILING_PLAN].map((p) => [p.id, p]));
  const start = {
    ceiling: launched.ceiling,
    floor: launched.floor,
    api: launched.api,
  };
  const instanceOf = (id: string) => (id === 'ceiling' ? 'ceiling' : id.startsWith('floor') ? 'floor' : 'api');
  let running: { kind: string; worker: RunningWorker } | undefined;
  try {
    for (const id of PAUSE_INSTANCES) {
      const p = byId.get(id);
      if (!p) continue;
      const kind = instanceOf(id);
      if (running?.kind !== kind) {
        await running?.worker.close();
        running = { kind, worker: await start[kind]() };
      }
      const run = await openLoopOnThread({
        url: running.worker.url,
        requests: p.requests,
        rate: s.rate,
        durationS: s.durationS,
        warmupS: s.warmupS,
      });
      await new Promise((r) => setTimeout(r, 50)); // the last trace lines of the window
      const f = pauseFigures(p.id, p.label, run, events);
      result.instances.push(f);
      s.log(
        `  ${p.label.padEnd(36)} ${f.achievedRate} req/s${f.held ? '' : ' NOT HELD'}  p99 ${f.latency.p99.toFixed(2)} p99.9 ${f.latency.p999.toFixed(2)} ms  stalls ${f.stalls.count} (${f.stalls.totalMs} ms, ${f.stalls.duringGc} during a GC)  scavenges ${f.gc.scavenges} (mean ${f.gc.scavengeMeanMs ?? '—'}, max ${f.gc.scavengeMaxMs ?? '—'} ms)  full ${f.gc.full}  ${f.gc.bytesPerResponse ?? '—'} B/response`,
      );
    }
    await running?.worker.close();
    running = undefined;
    // The same load on one ceiling process for longer: V8 sizes the young generation to it.
    result.ceilingOverTime = [];
    const ceiling = await launched.ceiling();
    running = { kind: 'ceiling', worker: ceiling };
    for (let w = 1; w <= s.ceilingWindows; w++) {
      const run = await openLoopOnThread({
        url: ceiling.url,
        requests: CEILING_PLAN.requests,
        rate: s.rate,
        durationS: s.durationS,
        warmupS: w === 1 ? s.warmupS : 0,
      });
      await new Promise((r) => setTimeout(r, 50));
      const f = pauseFigures('ceiling', `ceiling, window ${w}`, run, events);
      result.ceilingOverTime.push(f);
      s.log(
        `  ${f.label.padEnd(36)} p99 ${f.latency.p99.toFixed(2)} ms  longest stall ${f.stalls.longestMs} ms  scavenges ${f.gc.scavenges} (mean ${f.gc.scavengeMeanMs ?? '—'} ms)  young generation ${f.gc.newSpaceMaxBytes === null ? '—' : `${(f.gc.newSpaceMaxBytes / 1048576).toFixed(1)} MiB`}`,
      );
    }
  } finally {
    await running?.worker.close();
  }
  return result;
}
