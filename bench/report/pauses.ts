// What stops the isolate: the ceiling, the floors, POST /simulate and the cached stats under plain
// workerd at one fixed offered load (open loop), with V8's own trace of every garbage collection
// (`--trace-gc-nvp`, one JSON object per collection) set beside the stalls the generator saw
// (loadkit/http/open-loop.ts: intervals of 10 ms or more with requests outstanding and no
// response). Pure: parsing the trace and the figures; bench/http/pauses.ts runs the instances,
// bench/report/pauses-section.ts renders them.
import type { LatencySummary, OpenLoopResult } from '../../loadkit/http/open-loop.ts';

/** One collection, as V8 traced it. */
export interface GcEvent {
  /** Epoch ms when its trace line reached the bench: the end of the pause, within a millisecond. */
  at: number;
  /** The isolate's own clock (ms since it started) at the end of the collection. */
  isolateMs: number;
  /** V8's name for the collector: `s` scavenge (young generation), `mc` mark-compact (full), `ms` minor mark-sweep. */
  kind: string;
  /** How long JavaScript was stopped, ms. */
  pauseMs: number;
  /** Bytes the isolate allocated since the collection before this one. */
  allocated: number;
  /**
   * Young global-handle nodes this collection went through (died, copied, promoted): the handles
   * the runtime keeps to the JavaScript objects of its own (a request, its headers, a response).
   */
  youngHandles: number;
  /** The young generation's capacity after it, bytes (V8 grows it under steady allocation). */
  newSpaceBytes: number;
  reason: string;
}

// [pid:isolate(:thread)]   14214 ms: GC: {"pause":9.723,"gc":"s","reason":"allocation failure",...,"allocated":5298984,...}
const NVP_LINE = /\[\d+:0x[0-9a-f]+(?::\d+)?\]\s+([\d.]+) ms: GC: (\{.*\})\s*$/;

/** The collections in a chunk of workerd's output (other lines ignored); `at` is when it arrived. */
export function parseGcTrace(text: string, at: number): GcEvent[] {
  const out: GcEvent[] = [];
  for (const line of text.split('\n')) {
    const m = NVP_LINE.exec(line);
    if (!m) continue;
    try {
      const j = JSON.parse(m[2]!) as Record<string, unknown> & { pause?: number; gc?: string; reason?: string };
      const n = (k: string) => (typeof j[k] === 'number' ? (j[k] as number) : 0);
      if (typeof j.pause !== 'number' || typeof j.gc !== 'string') continue;
      out.push({
        at,
        isolateMs: Number(m[1]),
        kind: j.gc,
        pauseMs: j.pause,
        allocated: n('allocated'),
        youngHandles: n('nodes_died_in_new') + n('nodes_copied_in_new') + n('nodes_promoted'),
        newSpaceBytes: n('new_space_capacity'),
        reason: j.reason ?? '',
      });
    } catch {
      // a line cut by the pipe: not a collection we can read
    }
  }
  return out;
}

export interface PauseFigures {
  id: string;
  label: string;
  requestedRate: number;
  achievedRate: number;
  held: boolean;
  latency: LatencySummary;
  stalls: {
    count: number;
    totalMs: number;
    longestMs: number;
    /** Stalls that overlapped a collection's pause, and their summed length. */
    duringGc: number;
    duringGcMs: number;
  };
  gc: {
    /** Young-generation collections in the window. */
    scavenges: number;
    scavengeMeanMs: number | null;
    scavengeMaxMs: number | null;
    /** Every other collection (mark-compact) in the window. */
    full: number;
    fullMaxMs: number | null;
    /** JavaScript stopped by collections, ms per second of the window. */
    pauseMsPerS: number;
    /** Bytes allocated per response (between the window's first and last collection); null with fewer than two. */
    bytesPerResponse: number | null;
    /** Young global-handle nodes per response, over the same span's scavenges; null with fewer than two collections. */
    handlesPerResponse: number | null;
    /** The largest young-generation capacity V8 reported in the window, bytes; null without a collection. */
    newSpaceMaxBytes: number | null;
  };
}

/** A stall overlaps a collection when it meets [end − pause − slack, end + slack]; slack covers the pipe. */
const OVERLAP_SLACK_MS = 2;

const round1 = (n: number) => Math.round(n * 10) / 10;

/** The figures of one instance's run: its open-loop result and the collections traced meanwhile. */
export function pauseFigures(id: string, label: string, run: OpenLoopResult, events: readonly GcEvent[]): PauseFigures {
  const { from, to } = run.window;
  const inWindow = events.filter((e) => e.at >= from && e.at <= to).sort((a, b) => a.isolateMs - b.isolateMs);
  const scavenges = inWindow.filter((e) => e.kind === 's');
  const full = inWindow.filter((e) => e.kind !== 's');
  const overlaps = (s: { at: number; ms: number }) =>
    inWindow.some((e) => s.at <= e.at + OVERLAP_SLACK_MS && s.at + s.ms >= e.at - e.pauseMs - OVERLAP_SLACK_MS);
  const duringGc = run.stalls.filter(overlaps);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const max = (xs: readonly number[]) => (xs.length ? Math.max(...xs) : null);
  let bytesPerResponse: number | null = null;
  let handlesPerResponse: number | null = null;
  if (inWindow.length >= 2) {
    const spanS = (inWindow.at(-1)!.isolateMs - inWindow[0]!.isolateMs) / 1000;
    const after = inWindow.slice(1);
    if (spanS > 0 && run.achievedRate > 0) {
      const responses = run.achievedRate * spanS;
      bytesPerResponse = Math.round(sum(after.map((e) => e.allocated)) / responses);
      handlesPerResponse = round1(sum(after.filter((e) => e.kind === 's').map((e) => e.youngHandles)) / responses);
    }
  }
  const windowS = Math.max(0.001, (to - from) / 1000);
  return {
    id,
    label,
    requestedRate: run.requestedRate,
    achievedRate: run.achievedRate,
    held: run.held,
    latency: run.latency,
    stalls: {
      count: run.stalls.length,
      totalMs: run.stalledMs,
      longestMs: max(run.stalls.map((s) => s.ms)) ?? 0,
      duringGc: duringGc.length,
      duringGcMs: Math.round(sum(duringGc.map((s) => s.ms))),
    },
    gc: {
      scavenges: scavenges.length,
      scavengeMeanMs: scavenges.length ? round1(sum(scavenges.map((e) => e.pauseMs)) / scavenges.length) : null,
      scavengeMaxMs: scavenges.length ? round1(max(scavenges.map((e) => e.pauseMs))!) : null,
      full: full.length,
      fullMaxMs: full.length ? round1(max(full.map((e) => e.pauseMs))!) : null,
      pauseMsPerS: round1(sum(inWindow.map((e) => e.pauseMs)) / windowS),
      bytesPerResponse,
      handlesPerResponse,
      newSpaceMaxBytes: inWindow.length ? max(inWindow.map((e) => e.newSpaceBytes)) : null,
    },
  };
}

export interface PausesResult {
  runtime: 'workerd';
  /** Requests per second offered to every instance alike. */
  rate: number;
  warmupS: number;
  durationS: number;
  /** A stall is a gap of at least this long with requests outstanding and no response. */
  stallMs: number;
  instances: PauseFigures[];
  /**
   * One ceiling process kept under the same load window after window: how its collections change
   * as V8 sizes the young generation to the load (absent in results from before it was measured).
   */
  ceilingOverTime?: PauseFigures[];
  /** Why the part did not run, when it did not. */
  skipped?: string;
}
