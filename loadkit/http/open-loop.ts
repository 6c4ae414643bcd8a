// Load at a fixed arrival rate, measured without coordinated omission: request i is due at
// t0 + i / rate whatever happened to the ones before it, and its latency counts from that intended
// send time, not from when a free connection let it go (the way wrk2 and k6's
// constant-arrival-rate executor measure). A stall of the server therefore shows as the latency
// of every request that was due during it, instead of as requests the generator never sent.
// autocannon (load.ts) drives the saturation runs; this drives the fixed-rate steps.
import * as hdr from 'hdr-histogram-js';
import type { RequestSpec } from './load.ts';
import { openConnection, serialize, type Connection } from './raw-http.ts';

export interface OpenLoopOptions {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Cycled in order. */
  requests: readonly RequestSpec[];
  /** Requests per second. */
  rate: number;
  durationS: number;
  /** Sent at the same rate first, not measured (JIT, caches, connections). Default 1 s. */
  warmupS?: number;
  /** Sockets the generator may open (requests beyond wait for one, their latency counting). Default 256. */
  maxSockets?: number;
  /** Stop the step once this many requests are outstanding: the server is not keeping up. Default 20,000. */
  maxOutstanding?: number;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface OpenLoopResult {
  requestedRate: number;
  /** Responses per second over the measured window. */
  achievedRate: number;
  /** Whether the achieved rate is within 5 % of the requested one and no request was abandoned. */
  held: boolean;
  /** Why it was not held, in words, when it was not. */
  note?: string;
  sent: number;
  completed: number;
  /** Responses whose status was not 2xx, and requests that got no response. */
  failed: number;
  errors: number;
  /** The requests without a response by why (raw-http's NoResponse: "ECONNRESET, reused connection"…). */
  errorKinds?: Record<string, number>;
  /** From each request's intended send time to its response's end, ms. */
  latency: LatencySummary;
  /** From the moment the request was written to its response's end, ms (what a closed-loop tool reports). */
  service: LatencySummary;
  /** How late, at worst, the generator itself sent a request after its intended time, ms. */
  maxSendLagMs: number;
  /**
   * The measured window's stalls: intervals of at least STALL_MS in which requests were
   * outstanding and none completed (the server, or the path to it, answered nothing), longest
   * first, at most MAX_STALLS. `at` is the stall's start, epoch ms, to set beside a runtime's log.
   */
  stalls: { at: number; ms: number }[];
  /** Summed length of every stall of at least STALL_MS in the window, ms. */
  stalledMs: number;
  /** The measured window (requests due from `from` to `to`), epoch ms. */
  window: { from: number; to: number };
}

/** A gap with requests outstanding and no response shorter than this is not a stall. */
export const STALL_MS = 10;
const MAX_STALLS = 200;

export const HELD_TOLERANCE = 0.05;

function summary(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}

/** Runs one step at `rate` for warm-up plus `durationS`; resolves when every request sent has ended. */
export async function openLoop(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  if (!(opts.rate > 0)) throw new Error(`openLoop: rate must be > 0, got ${opts.rate}`);
  if (!opts.requests.length) throw new Error('openLoop: no requests to send');
  const base = new URL(opts.url);
  const port = Number(base.port || 80);
  const payloads = opts.requests.map((r) => serialize(r, base.host));
  const maxSockets = opts.maxSockets ?? 256;
  const connections: Connection[] = [];
  const idle: Connection[] = [];
  /** Requests due while every connection was busy: they wait, their latency counting. */
  const queue: { bytes: Buffer; intended: number }[] = [];
  let queueHead = 0;
  const maxOutstanding = opts.maxOutstanding ?? 20_000;
  const warmupMs = (opts.warmupS ?? 1) * 1000;
  const measureMs = opts.durationS * 1000;
  const intervalMs = 1000 / opts.rate;
  // Microseconds, 1 µs to 5 min, 3 significant digits.
  const newHistogram = () =>
    hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 300_000_000, numberOfSignificantValueDigits: 3 });
  const latency = newHistogram();
  const service = newHistogram();

  let sent = 0;
  let completed = 0;
  let failed = 0;
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  let outstanding = 0;
  let measuredDone = 0;
  let maxSendLagMs = 0;
  const stalls: { at: number; ms: number }[] = [];
  let stalledMs = 0;
  /** Since when requests have been outstanding with no response: the last response, or the send that ended an idle spell. */
  let waitingSince = 0;
  let abandoned = false;
  let next = 0;
  const t0 = performance.now() + 20;
  const measureFrom = t0 + warmupMs;
  const end = measureFrom + measureMs;
  let settle!: () => void;
  const allDone = new Promise<void>((resolve) => (settle = resolve));
  let scheduling = true;

  const finish = (intended: number, written: number, ok: boolean) => {
    const now = performance.now();
    const gap = now - waitingSince;
    if (gap >= STALL_MS && waitingSince >= measureFrom) {
      stalledMs += gap;
      stalls.push({ at: Math.round(performance.timeOrigin + waitingSince), ms: Math.round(gap * 10) / 10 });
    }
    waitingSince = now;
    outstanding--;
    if (intended >= measureFrom) {
      completed++;
      if (!ok) failed++;
      measuredDone = now;
      latency.recordValue(Math.max(1, Math.round((now - intended) * 1000)));
      service.recordValue(Math.max(1, Math.round((now - written) * 1000)));
    }
    if (!scheduling && outstanding === 0) settle();
  };

  const dispatch = (conn: Connection, bytes: Buffer, intended: number) => {
    const written = performance.now();
    conn.send(bytes, (status, failure) => {
      if (status === 0 && intended >= measureFrom) {
        errors++;
        const kind = `${failure?.reason ?? 'unknown'}, ${failure?.reused ? 'reused' : 'new'} connection`;
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
      finish(intended, written, status >= 200 && status < 300);
      // The connection is free: the oldest waiting request takes it.
      if (queueHead < queue.length) {
        const waiting = queue[queueHead]!;
        queue[queueHead++] = undefined as never;
        if (queueHead > 1024 && queueHead * 2 > queue.length) queue.splice(0, queueHead), (queueHead = 0);
        dispatch(conn, waiting.bytes, waiting.intended);
      } else idle.push(conn);
    });
  };

  const send = (bytes: Buffer, intended: number) => {
    if (outstanding === 0) waitingSince = performance.now();
    outstanding++;
    if (intended >= measureFrom) sent++;
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - intended);
    let conn = idle.pop();
    if (!conn && connections.length < maxSockets) {
      conn = openConnection(base.hostname, port);
      connections.push(conn);
    }
    if (conn) dispatch(conn, bytes, intended);
    else queue.push({ bytes, intended });
  };

  // Send every request that is due, then sleep until the next one is. Timers fire late under load;
  // the requests due meanwhile go out at once, each keeping its own intended time.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next * intervalMs + t0 <= now) {
        const intended = next * intervalMs + t0;
        if (intended >= end) {
          resolve();
          return;
        }
        send(payloads[next % payloads.length]!, intended);
        next++;
        if (outstanding > maxOutstanding) {
          abandoned = true;
          resolve();
          return;
        }
      }
      setTimeout(tick, Math.max(0, next * intervalMs + t0 - performance.now() - 1));
    };
    setTimeout(tick, Math.max(0, t0 - performance.now()));
  });
  scheduling = false;
  if (outstanding > 0) await allDone;
  for (const c of connections) c.destroy();

  const windowMs = Math.max(measureMs, (measuredDone || end) - measureFrom);
  const achievedRate = Math.round((completed / windowMs) * 1000 * 10) / 10;
  const short = achievedRate < opts.rate * (1 - HELD_TOLERANCE);
  const held = !abandoned && !short;
  const note = abandoned
    ? `stopped: over ${maxOutstanding.toLocaleString('en-US')} requests outstanding (the server fell behind)`
    : short
      ? `achieved ${achievedRate} req/s, more than ${HELD_TOLERANCE * 100} % below the requested ${opts.rate}`
      : undefined;
  return {
    requestedRate: opts.rate,
    achievedRate,
    held,
    ...(note ? { note } : {}),
    sent,
    completed,
    failed,
    errors,
    errorKinds,
    latency: summary(latency),
    service: summary(service),
    maxSendLagMs: Math.round(maxSendLagMs * 1000) / 1000,
    stalls: stalls.sort((a, b) => b.ms - a.ms).slice(0, MAX_STALLS),
    stalledMs: Math.round(stalledMs),
    window: { from: Math.round(performance.timeOrigin + measureFrom), to: Math.round(performance.timeOrigin + end) },
  };
}
