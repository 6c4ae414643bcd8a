// Instructions per response: the API and the ceiling Worker under plain workerd run by valgrind's
// callgrind, which counts the instructions a process executes (user space, every thread) instead
// of timing it. A count does not shrink or grow with CPU contention the way req/s and CPU time do,
// but V8's concurrent JIT and garbage collector made it move by up to a quarter between runs of
// the same build; V8's `--predictable` (compilation and collection on the isolate's own thread, in
// a fixed order) makes runs repeat to within 2 %. Left out: the kernel's share (sockets),
// the same for every response.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { RunningWorker } from '../../local/miniflare-worker.ts';
import type { InstructionFigures, InstructionsResult } from '../report/types.ts';
import type { BenchStack } from './bench-stack.ts';
import type { EndpointPlan } from './endpoints.ts';
import { muteWorkerLogs } from '../../loadkit/http/worker-log.ts';

export interface InstructionSettings {
  /** Responses before the first window: the isolate's JIT tiers settle first. */
  warmup: number;
  /** Responses per counted window. */
  perWindow: number;
  windows: number;
  connections: number;
  log: (msg: string) => void;
}

/** Repeatable counts: V8 compiles and collects on the isolate's thread, in a fixed order. */
const PREDICTABLE = ['--predictable'];

/** Under valgrind, workerd compiles and starts the bundle many times slower than natively. */
const STARTUP_TIMEOUT_MS = 180_000;

/**
 * The command that runs workerd under callgrind, its dumps in `outDir` as cg.<pid>.<n>. V8 writes
 * and rewrites its compiled code in memory: valgrind must check for that or run stale code.
 */
export function callgrindLauncher(outDir: string): string[] {
  return [
    'valgrind',
    '-q',
    '--tool=callgrind',
    `--callgrind-out-file=${join(outDir, 'cg.%p')}`,
    '--smc-check=all-non-file',
  ];
}

/** The `totals:` (or else `summary:`) line of a callgrind output file: instructions executed (Ir). */
export function callgrindTotal(text: string): number | null {
  const m = /^totals:\s+(\d+)/m.exec(text) ?? /^summary:\s+(\d+)/m.exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * The median window. Under `--predictable` the garbage collector lands in the same windows run
 * after run, so the median repeats; the least window does not where the work depends on the clock
 * (the cached stats refresh their in-isolate copy every few seconds, and a window under valgrind
 * lasts seconds).
 */
export function steadyPerResponse(windows: readonly number[]): number {
  const s = [...windows].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

/** valgrind's version, or why callgrind cannot be used here. */
export function valgrindStatus(): { version: string } | { missing: string } {
  try {
    const version = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
    execFileSync('callgrind_control', ['--version'], { encoding: 'utf8', stdio: 'pipe' });
    return { version };
  } catch {
    return { missing: 'valgrind (with callgrind_control) is not installed: apt-get install valgrind' };
  }
}

async function drive(
  url: string,
  plan: EndpointPlan,
  amount: number,
  connections: number,
): Promise<{ ok: number; bad: number }> {
  const result = await autocannon({ url, connections, amount, timeout: 60, requests: plan.requests });
  // autocannon ends an `amount` run by closing its connections: up to one request each may be
  // cut off in flight and counted as an error. Anything beyond that, or any non-2xx, is a failure.
  const bad = result.non2xx + result.timeouts + Math.max(0, result.errors - connections);
  return { ok: result.requests.total ?? 0, bad };
}

/** Responses of warm-up and per window for `plan`: the settings', times its callgrindShare. */
export function responsesOf(
  plan: EndpointPlan,
  s: Pick<InstructionSettings, 'warmup' | 'perWindow'>,
): { warmup: number; perWindow: number } {
  const share = plan.callgrindShare ?? 1;
  return { warmup: Math.max(1, Math.round(s.warmup * share)), perWindow: Math.max(1, Math.round(s.perWindow * share)) };
}

/** Instructions of the worker's process per response of `plan`: counters zeroed, `perWindow` responses, a dump, per window. */
export async function countWindows(
  worker: { url: string; pid: number },
  outDir: string,
  plan: EndpointPlan,
  s: InstructionSettings,
): Promise<number[]> {
  const pid = worker.pid;
  const { warmup, perWindow } = responsesOf(plan, s);
  const warm = await drive(worker.url, plan, warmup, s.connections);
  if (warm.bad)
    throw new Error(`${plan.label}: ${warm.bad} failed or non-2xx responses while warming up under callgrind`);
  const windows: number[] = [];
  for (let i = 0; i < s.windows; i++) {
    execFileSync('callgrind_control', ['--zero', String(pid)], { stdio: 'ignore' });
    const run = await drive(worker.url, plan, perWindow, s.connections);
    if (run.bad) throw new Error(`${plan.label}: ${run.bad} failed or non-2xx responses under callgrind`);
    const before = new Set(await readdir(outDir));
    execFileSync('callgrind_control', ['--dump', String(pid)], { stdio: 'ignore' });
    const dump = (await readdir(outDir)).find((f) => !before.has(f) && f.startsWith(`cg.${pid}.`));
    if (!dump) throw new Error(`callgrind wrote no dump for ${plan.label}`);
    const total = callgrindTotal(await readFile(join(outDir, dump), 'utf8'));
    if (total === null) throw new Error(`callgrind dump ${dump} has no totals line`);
    windows.push(Math.round(total / Math.max(1, run.ok)));
  }
  return windows;
}

/**
 * Serves the ceiling, then the floor and the API, under callgrind and counts instructions per
 * response for the ceiling and each of `plan` (endpoints that need no database per request: the
 * API's own work), each on its instance (floor or API).
 */
export async function measureInstructions(
  bench: BenchStack,
  plan: EndpointPlan[],
  ceilingPlan: EndpointPlan,
  s: InstructionSettings,
): Promise<InstructionsResult> {
  const status = valgrindStatus();
  const settings = { warmup: s.warmup, perWindow: s.perWindow, windows: s.windows, connections: s.connections };
  if ('missing' in status) return { tool: null, skipped: status.missing, ...settings, ceiling: null, endpoints: [] };
  const unserved = plan.filter((p) => p.instance !== 'floor' && p.instance !== 'api');
  if (unserved.length)
    throw new Error(
      `instructions are counted on the floor and the API only, not: ${unserved.map((p) => p.id).join(', ')}`,
    );
  const outDir = await mkdtemp(join(tmpdir(), 'nhis-callgrind-'));
  const launcher = callgrindLauncher(outDir);
  const launched = bench.launched({ launcher, startupTimeoutMs: STARTUP_TIMEOUT_MS, v8Flags: PREDICTABLE });
  const mute = muteWorkerLogs();
  try {
    const under = async (
      start: () => Promise<RunningWorker & { pid?: number }>,
      plans: EndpointPlan[],
    ): Promise<InstructionFigures[]> => {
      const worker = await start();
      try {
        const pid = worker.pid;
        if (pid === undefined) throw new Error('no pid for the workerd process under callgrind');
        const out: InstructionFigures[] = [];
        for (const p of plans) {
          const windows = await countWindows({ url: worker.url, pid }, outDir, p, s);
          const perResponse = steadyPerResponse(windows);
          s.log(
            `  callgrind  ${p.label.padEnd(36)} ${perResponse.toLocaleString('en-US').padStart(9)} instructions / response (windows: ${windows.map((w) => w.toLocaleString('en-US')).join(', ')})`,
          );
          const own = p.callgrindShare !== undefined && p.callgrindShare !== 1 ? responsesOf(p, s) : {};
          out.push({ id: p.id, label: p.label, perResponse, windows, ratioToCeiling: null, ...own });
        }
        return out;
      } finally {
        await worker.close();
      }
    };
    const [ceiling] = await under(launched.ceiling, [ceilingPlan]);
    const counted: InstructionFigures[] = [];
    for (const [instance, start] of [
      ['floor', launched.floor],
      ['api', launched.api],
    ] as const) {
      const mine = plan.filter((p) => p.instance === instance);
      if (mine.length) counted.push(...(await under(start, mine)));
    }
    const byPlan = new Map(counted.map((e) => [e.id, e]));
    const endpoints = plan
      .map((p) => byPlan.get(p.id)!)
      .map((e) => ({ ...e, ratioToCeiling: ceiling!.perResponse / e.perResponse }));
    return { tool: status.version, ...settings, ceiling: ceiling!, endpoints };
  } finally {
    mute.stop();
    await rm(outDir, { recursive: true, force: true });
  }
}
