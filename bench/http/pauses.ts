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
  // Whole lines only: a chunk of the pipe may end inside one, whose rest comes with the next.
  let partial = '';
  const launched = bench.launched({
    launcher: ['stdbuf', '-oL', '-eL'],
    startupTimeoutMs: 30_000,
    v8Flags: ['--trace-gc-nvp'],
    onOutput: (chunk) => {
      const text = partial + chunk;
      const end = text.lastIndexOf('\n') + 1;
      partial = text.slice(end);
      if (end) events.push(...parseGcTrace(text.slice(0, end), Date.now()));
    },
  });
  /** One window of `plan` on `url` at the part's rate, with the collections traced meanwhile. */
  const measure = async (url: string, p: EndpointPlan, label: string, warmupS: number) => {
    const run = await openLoopOnThread({ url, requests: p.requests, rate: s.rate, durationS: s.durationS, warmupS });
    await new Promise((r) => setTimeout(r, 50)); // the last trace lines of the window
    return pauseFigures(p.id, label, run, events);
  };
  const byId = new Map([...plan, CEILING_PLAN].map((p) => [p.id, p]));
  const instanceOf = (id: string) => (id === 'ceiling' ? 'ceiling' : id.startsWith('floor') ? 'floor' : 'api');
  let running: { kind: string; worker: RunningWorker } | undefined;
  try {
    for (const id of PAUSE_INSTANCES) {
      const p = byId.get(id);
      if (!p) continue;
      const kind = instanceOf(id);
      if (running?.kind !== kind) {
        await running?.worker.close();
        running = { kind, worker: await launched[kind]() };
      }
      const f = await measure(running.worker.url, p, p.label, s.warmupS);
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
      const f = await measure(ceiling.url, CEILING_PLAN, `ceiling, window ${w}`, w === 1 ? s.warmupS : 0);
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
