// The network between an edge location and a gateway's service, for the local gateways: each
// request waits one round trip (with jitter) before it is served, as it would from an edge far
// from the database region, and every request's time at the gateway is logged so a test can
// count the round trips a Worker request made one after another.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LatencyProfile {
  /** Mean round trip, ms. */
  rttMs: number;
  /** Each round trip is `rttMs` ± up to this much (uniform), ms. */
  jitterMs: number;
}

/** One request as the gateway saw it: arrival and end of its answer, on performance.now()'s clock. */
export interface Trip {
  startedAt: number;
  endedAt: number;
}

export interface SimulatedNetwork {
  /** Wraps a request handler: delays it by the profile, logs its trip. Paths under `skipPrefix` are neither. */
  wrap(
    handler: (req: IncomingMessage, res: ServerResponse) => void,
    skipPrefix?: string,
  ): (req: IncomingMessage, res: ServerResponse) => void;
  setLatency(profile: LatencyProfile | undefined): void;
  latency(): LatencyProfile | undefined;
  /** Trips that started at or after `since` (performance.now()), oldest first; the log keeps the last 10,000. */
  trips(since?: number): Trip[];
}

const LOG_SIZE = 10_000;

export function parseLatency(text: string): LatencyProfile {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:(?:±|\+-|\+\/-)\s*(\d+(?:\.\d+)?))?\s*(?:ms)?\s*$/.exec(text);
  if (!m) throw new Error(`latency must look like 60±10 (ms, round trip ± jitter) or 60, got '${text}'`);
  const profile = { rttMs: Number(m[1]), jitterMs: Number(m[2] ?? 0) };
  if (profile.jitterMs > profile.rttMs)
    throw new Error(`latency jitter (${profile.jitterMs}) must not exceed the round trip (${profile.rttMs})`);
  return profile;
}

export const describeLatency = (p: LatencyProfile | undefined): string =>
  p ? `${p.rttMs} ± ${p.jitterMs} ms` : 'none';

export function createSimulatedNetwork(initial?: LatencyProfile): SimulatedNetwork {
  let profile = initial;
  const log: Trip[] = [];
  let next = 0;
  const draw = () => (profile ? Math.max(0, profile.rttMs + (Math.random() * 2 - 1) * profile.jitterMs) : 0);

  return {
    wrap(handler, skipPrefix) {
      return (req, res) => {
        if (skipPrefix && req.url?.startsWith(skipPrefix)) return handler(req, res);
        const trip: Trip = { startedAt: performance.now(), endedAt: Number.NaN };
        // Ended once the answer is handed to the socket ('finish': before the client can have it),
        // or when the client went away first.
        const end = () => {
          if (!Number.isNaN(trip.endedAt)) return;
          trip.endedAt = performance.now();
          if (log.length < LOG_SIZE) log.push(trip);
          else log[next] = trip;
          next = (next + 1) % LOG_SIZE;
        };
        res.once('finish', end);
        res.once('close', end);
        const ms = draw();
        if (ms > 0) setTimeout(() => handler(req, res), ms);
        else handler(req, res);
      };
    },
    setLatency(p) {
      profile = p;
    },
    latency: () => profile,
    trips(since = 0) {
      const ordered = log.length < LOG_SIZE ? log : [...log.slice(next), ...log.slice(0, next)];
      return ordered.filter((t) => t.startedAt >= since).sort((a, b) => a.startedAt - b.startedAt);
    },
  };
}

/**
 * How many of `trips` ran one after another within [from, to]: the longest chain of trips that do
 * not overlap (greedy by earliest end), counting only trips that started and ended in the window.
 * Trips in parallel count once; background work that outlives the window does not count.
 */
export function sequentialTrips(trips: readonly Trip[], from: number, to: number): number {
  const inside = trips.filter((t) => t.startedAt >= from && t.endedAt <= to).sort((a, b) => a.endedAt - b.endedAt);
  let chain = 0;
  let free = -Infinity;
  for (const t of inside) {
    if (t.startedAt >= free) {
      chain++;
      free = t.endedAt;
    }
  }
  return chain;
}
