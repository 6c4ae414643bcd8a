// Measures one runtime: the ceiling, every endpoint of the plan on the floor, the API or its uncached twin
// (one run each whose first seconds are a warm-up, with the Worker's own counters read around it),
// and the ceiling again at the end, so drift on a shared machine shows.
import type { RunningWorker } from '../../local/miniflare-worker.ts';
import type { EndpointResult, Instance, Runtime, RuntimeResult } from '../report/types.ts';
import type { BenchStack } from './bench-stack.ts';
import { CEILING_PLAN, type EndpointPlan } from './endpoints.ts';
import { runLoad, type ErrorSample, type LoadRun } from '../../loadkit/http/load.ts';
import { selectSamples } from '../../loadkit/http/samples.ts';
import { muteWorkerLogs, type WorkerLogSummary } from '../../loadkit/http/worker-log.ts';
import { counterDelta, countersFrom, scrapeMetrics, type Scrape } from '../../loadkit/http/server-counters.ts';
import { loadAverage } from '../../loadkit/report/environment.ts';
import { httpFigures, slowBursts, type HttpFigures } from '../../loadkit/http/summary.ts';
import { workerdCpu } from './process-cpu.ts';

export interface HttpRunSettings {
  connections: number;
  durationS: number;
  warmupS: number;
  apiKey: string;
  log: (msg: string) => void;
}

/** Cache key family of a stats path ("/stats/risk" → "stats:risk"), for the X-Cache counters. */
const keyFamily = (path: string) => (path.startsWith('/stats/') ? `stats:${path.split('/')[2]}` : undefined);

async function measure(
  plan: EndpointPlan,
  url: string,
  s: HttpRunSettings,
): Promise<Omit<EndpointResult, 'ratioToCeiling'>> {
  const path = plan.requests[0]?.path ?? '/';
  let run: LoadRun;
  let before: Scrape | null = null;
  let after: Scrape | null = null;
  let workerLog: WorkerLogSummary;
  const loadAvg1 = loadAverage()[0] ?? 0;
  const mute = muteWorkerLogs();
  const cpu = workerdCpu(url);
  let cpuS: number | null = null;
  try {
    // The ceiling and the floor have no GET /metrics.
    before = plan.instance === 'api' || plan.instance === 'uncached' ? await scrapeMetrics(url, s.apiKey) : null;
    const cpu0 = cpu?.() ?? null;
    // One run: the first warmupS seconds after the first response are the warm-up (they fill the
    // caches for the cached stats) and are left out of the figures.
    run = await runLoad({
      url,
      requests: plan.requests,
      connections: plan.connections ?? s.connections,
      durationS: s.warmupS + s.durationS,
    });
    const cpu1 = cpu?.() ?? null;
    if (cpu0 !== null && cpu1 !== null) cpuS = cpu1 - cpu0;
    after = before ? await scrapeMetrics(url, s.apiKey) : null;
  } finally {
    // The runtimes forward the Worker's output a moment later: let the last lines land first.
    await new Promise((r) => setTimeout(r, 100));
    workerLog = mute.stop();
  }
  const first = run.samples.at[0] ?? run.startedAt;
  const cut = first + s.warmupS * 1000;
  const measured = selectSamples(run.samples, (at) => at >= cut);
  const lastAt = measured.at[measured.at.length - 1] ?? cut;
  const fam = keyFamily(path);
  return {
    id: plan.id,
    label: plan.label,
    method: plan.requests[0]?.method ?? 'GET',
    path,
    instance: plan.instance,
    distinctRequests: plan.requests.length,
    ...(plan.connections ? { connections: plan.connections } : {}),
    figures: {
      ...httpFigures(measured, Math.max(0.001, (lastAt - cut) / 1000)),
      tail: slowBursts(measured),
      ...(cpuS !== null && run.samples.status.length
        ? { cpuUsPerResponse: (cpuS * 1e6) / run.samples.status.length }
        : {}),
    },
    server:
      before?.ok && after?.ok
        ? {
            ...counterDelta(countersFrom(before.series, fam), countersFrom(after.series, fam)),
            responses: run.samples.status.length,
          }
        : null,
    ...(before && !before.ok ? { serverError: before.error } : after && !after.ok ? { serverError: after.error } : {}),
    errorSamples: distinctErrors(run.samples.errorSamples),
    workerLog,
    loadAvg1,
  };
}

/** Up to three error responses that differ by more than their request id. */
function distinctErrors(samples: ErrorSample[]): { status: number; path: string; body: string }[] {
  const seen = new Map<string, { status: number; path: string; body: string }>();
  for (const s of samples) {
    const key = `${s.status} ${s.body.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '')}`;
    if (!seen.has(key)) seen.set(key, { status: s.status, path: s.path, body: s.body });
  }
  return [...seen.values()].slice(0, 3);
}

function line(runtime: Runtime, r: Omit<EndpointResult, 'ratioToCeiling'>): string {
  const f = r.figures;
  const bad = f.non2xx + f.errors;
  const logs = r.workerLog.lines
    ? `\n      Worker/runtime logged ${r.workerLog.lines} lines, e.g. ${r.workerLog.samples
        .slice(0, 2)
        .map((x) => x.slice(0, 200))
        .join(' | ')}`
    : '';
  const cpu = f.cpuUsPerResponse === undefined ? '' : `  cpu ${f.cpuUsPerResponse.toFixed(0)} µs/resp`;
  const tail = f.tail?.slow
    ? `  >${f.tail.overMs} ms: ${f.tail.slow} in ${f.tail.bursts} bursts (median ${f.tail.medianBurst})`
    : '';
  return `  ${runtime.padEnd(9)} ${r.label.padEnd(36)} ${f.rps.toFixed(0).padStart(7)} req/s  p50 ${f.latency.p50.toFixed(2)}  p95 ${f.latency.p95.toFixed(2)}  p99 ${f.latency.p99.toFixed(2)} ms${cpu}${tail}${bad ? `  (${f.non2xx} non-2xx, ${f.errors} errors)` : ''}${logs}`;
}

export async function measureRuntime(
  runtime: Runtime,
  bench: BenchStack,
  plan: EndpointPlan[],
  s: HttpRunSettings,
): Promise<RuntimeResult> {
  const within = async <T>(start: () => Promise<RunningWorker>, fn: (w: RunningWorker) => Promise<T>): Promise<T> => {
    const w = await start();
    try {
      return await fn(w);
    } finally {
      await w.close();
    }
  };
  const ceilingRun = () =>
    within(
      () => bench.ceiling(runtime),
      async (w) => {
        const r = await measure(CEILING_PLAN, w.url, s);
        s.log(line(runtime, r));
        return r.figures;
      },
    );

  const ceiling: HttpFigures = await ceilingRun();
  const measured: Omit<EndpointResult, 'ratioToCeiling'>[] = [];
  const start: Record<Exclude<Instance, 'ceiling'>, () => Promise<RunningWorker>> = {
    floor: () => bench.floor(runtime),
    api: () => bench.api(runtime),
    uncached: () => bench.uncached(runtime),
  };
  for (const [instance, startInstance] of Object.entries(start)) {
    const mine = plan.filter((p) => p.instance === instance);
    if (!mine.length) continue;
    await within(startInstance, async (w) => {
      for (const p of mine) {
        const r = await measure(p, w.url, s);
        s.log(line(runtime, r));
        measured.push(r);
      }
    });
  }
  const ceilingAfter = await ceilingRun();
  const reference = (ceiling.rps + ceilingAfter.rps) / 2;
  return {
    runtime,
    ceiling,
    ceilingAfter,
    endpoints: measured.map((r) => ({
      ...r,
      ratioToCeiling: reference > 0 ? Math.round((r.figures.rps / reference) * 1000) / 1000 : null,
    })),
  };
}
