// Runs every micro-benchmark suite with tinybench and turns each task into plain data: a failed
// task is a result with its error, never a throw.
import { Bench } from 'tinybench';
import type { MicroTask } from './task.ts';

export interface MicroResult {
  id: string;
  label: string;
  group: MicroTask['group'];
  unit: string;
  unitsPerCall: number;
  state: 'completed' | 'errored';
  error?: string;
  samples: number;
  /** Per call, microseconds. */
  meanUs: number;
  p50Us: number;
  p99Us: number;
  /** Relative margin of error of the mean, %. */
  rmePct: number;
  callsPerSecond: number;
  /** callsPerSecond × unitsPerCall. */
  unitsPerSecond: number;
}

export interface MicroOptions {
  quick: boolean;
  /** Only tasks whose id starts with one of these. */
  only?: string[];
  onTask?: (result: MicroResult) => void;
}

/** Per-task time budget (ms): enough samples for a stable mean on a shared 2-core machine. */
const TIME_MS = { full: 1_000, quick: 150 } as const;
const WARMUP_MS = { full: 200, quick: 30 } as const;
/** Minimum samples per task (tinybench's default is 64; a 10,000-row batch takes ~20 ms). */
const MIN_ITERATIONS = { full: 64, quick: 16 } as const;

/** Each suite is imported on its own, so one that cannot load (e.g. mid-refactor) fails alone. */
const SUITES: { id: string; group: MicroTask['group']; load: () => Promise<MicroTask[]> }[] = [
  { id: 'rules', group: 'rules', load: async () => (await import('./rules.ts')).rulesTasks() },
  { id: 'http-shapes', group: 'validation', load: async () => (await import('./http-shapes.ts')).httpShapeTasks() },
  { id: 'cache', group: 'cache', load: async () => (await import('./cache.ts')).cacheTasks() },
  { id: 'csv', group: 'csv', load: async () => (await import('./csv-chunk.ts')).csvTasks() },
];

const errored = (error: string) =>
  ({
    state: 'errored',
    error,
    samples: 0,
    meanUs: 0,
    p50Us: 0,
    p99Us: 0,
    rmePct: 0,
    callsPerSecond: 0,
    unitsPerSecond: 0,
  }) as const;

const us = (ms: number) => Math.round(ms * 1000 * 1000) / 1000;

export async function runMicro(opts: MicroOptions): Promise<MicroResult[]> {
  const mode = opts.quick ? 'quick' : 'full';
  const results: MicroResult[] = [];
  const tasks: MicroTask[] = [];
  for (const suite of SUITES) {
    try {
      tasks.push(...(await suite.load()));
    } catch (err) {
      const failed: MicroResult = {
        id: suite.id,
        label: `suite ${suite.id}`,
        group: suite.group,
        unit: '',
        unitsPerCall: 1,
        ...errored(`could not load: ${(err as Error).message}`),
      };
      results.push(failed);
      opts.onTask?.(failed);
    }
  }
  // One Bench per task, so each result is reported (and printed) as soon as it is known.
  for (const task of tasks.filter((t) => !opts.only?.length || opts.only.some((p) => t.id.startsWith(p)))) {
    const bench = new Bench({
      time: TIME_MS[mode],
      warmupTime: WARMUP_MS[mode],
      iterations: MIN_ITERATIONS[mode],
      throws: false,
    });
    bench.add(task.id, task.fn);
    const [t] = await bench.run();
    const base = {
      id: task.id,
      label: task.label,
      group: task.group,
      unit: task.unit,
      unitsPerCall: task.unitsPerCall,
    };
    const r = t?.result;
    let result: MicroResult;
    if (r && (r.state === 'completed' || r.state === 'aborted-with-statistics')) {
      // Calls per second from the mean latency (tinybench's throughput.mean averages 1/latency per
      // sample, which overstates a noisy task).
      const perSecond = r.latency.mean > 0 ? 1000 / r.latency.mean : 0;
      result = {
        ...base,
        state: 'completed',
        samples: r.latency.samplesCount,
        meanUs: us(r.latency.mean),
        p50Us: us(r.latency.p50),
        p99Us: us(r.latency.p99),
        rmePct: Math.round(r.latency.rme * 100) / 100,
        callsPerSecond: Math.round(perSecond),
        unitsPerSecond: Math.round(perSecond * task.unitsPerCall),
      };
    } else {
      result = { ...base, ...errored(r?.state === 'errored' ? r.error.message : `task ${r?.state ?? 'not run'}`) };
    }
    results.push(result);
    opts.onTask?.(result);
  }
  return results;
}
