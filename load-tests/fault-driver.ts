// Drives the faults scenario's plan while the load runs, against the Worker's own PlanetScale
// gateway (the reader one, its DATABASE_URL; the ETL's writer gateway serves no API request):
// each transient Vitess error for its window through POST /__gateway/faults, then a client that
// drops mid-load and a burst for the same key. Records what happened when, for the report.
import { keysLike } from '../loadkit/http/upstash-rest.ts';
import { statsCacheKeys, STATS_TTL_SECONDS } from '../src/data/cache-keys.ts';
import { decodeL2, encodeL2 } from '../src/data/cache.ts';
import {
  DROP,
  dropCandidates,
  dropMatch,
  dropPath,
  pickColdFilter,
  type FaultEvent,
  type FaultStep,
} from './faults.ts';
import type { BurstResponse, DropReport } from './report/types.ts';

/** The gateway's /__gateway/ controls, with the Basic auth of its API (the URL's user and password). */
export class GatewayAdmin {
  readonly origin: string;
  private readonly auth: string;

  constructor(gatewayUrl: string) {
    const u = new URL(gatewayUrl);
    this.origin = u.origin;
    this.auth = `Basic ${Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`).toString('base64')}`;
  }

  private async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T> {
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers: { authorization: this.auth, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  inject(spec: {
    code?: string;
    durationMs?: number;
    delayMs?: number;
    count?: number;
    match?: string;
  }): Promise<{ fault: { id: number } }> {
    return this.call('POST', '/__gateway/faults', spec);
  }

  async clear(): Promise<number> {
    return (await this.call<{ cleared: number }>('DELETE', '/__gateway/faults')).cleared;
  }

  /** Statements any fault has been applied to since the gateway started. */
  async applied(): Promise<number> {
    return (await this.call<{ faultsApplied: number }>('GET', '/__gateway/stats')).faultsApplied;
  }
}

export interface FaultRun {
  events: FaultEvent[];
  /** Seconds since the start of the traffic. */
  timeline: { at: number; event: string }[];
  markers: { at: number; label: string }[];
  drop: DropReport | null;
  notes: string[];
}

export interface DriveOptions {
  admin: GatewayAdmin;
  api: { url: string; apiKey: string };
  /** The local stack's Upstash gateway: to choose a key that is not cached. */
  upstash?: { url: string; token: string };
  plan: FaultStep[];
  /** When the traffic started (ms since the epoch); the plan's times count from here. */
  startMs: number;
  dbTimeoutMs: number;
}

type Upstash = { url: string; token: string };

async function upstashCommand<T>(upstash: Upstash, args: string[]): Promise<T> {
  const res = await fetch(upstash.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstash.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as { result?: T; error?: string };
  if (!res.ok || body.error) throw new Error(`Upstash ${args[0]} failed: ${res.status} ${body.error ?? ''}`);
  return body.result as T;
}

/**
 * Rewrites each stats copy in the cache (L2) as if loaded STATS_TTL_SECONDS + 1 s ago, same body
 * and expiry. A 30 s run never sees a copy go stale by itself; this way, once the isolate's own
 * copy (L1, CACHE_L1_TTL_MS) lapses, the Worker holds only a stale copy and must revalidate it
 * from the failing database: the stale-if-error path. Returns how many copies it aged.
 */
async function ageStatsCopies(upstash: Upstash): Promise<number> {
  let aged = 0;
  for (const pattern of statsCacheKeys('*')) {
    for (const key of await keysLike(upstash, pattern)) {
      const raw = await upstashCommand<string | null>(upstash, ['GET', key]);
      const entry = raw === null ? null : decodeL2(raw);
      if (!entry) continue;
      await upstashCommand(upstash, [
        'SET',
        key,
        encodeL2({ body: entry.body, storedAt: Date.now() - (STATS_TTL_SECONDS + 1) * 1000 }),
        'KEEPTTL',
      ]);
      aged++;
    }
  }
  return aged;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const message = (err: unknown) => ((err as Error).message ?? String(err)).slice(0, 200);

export async function driveFaults(o: DriveOptions): Promise<FaultRun> {
  const run: FaultRun = { events: [], timeline: [], markers: [], drop: null, notes: [] };
  const since = (ms: number) => Math.round((ms - o.startMs) / 100) / 10;
  const applied = () => o.admin.applied().catch(() => null);
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);

  for (const step of o.plan) {
    await sleep(o.startMs + step.atMs - Date.now());
    if (step.kind === 'vitess') {
      const before = await applied();
      // From the moment the POST leaves: no response the fault could have caused completes before
      // its window. The gateway's expiry counts from its receipt of the POST, a moment later.
      const fromMs = Date.now();
      try {
        await o.admin.inject({ code: step.code, durationMs: step.durationMs });
      } catch (err) {
        run.timeline.push({ at: since(Date.now()), event: `${step.code} could not be injected: ${message(err)}` });
        continue;
      }
      const toMs = fromMs + step.durationMs;
      run.markers.push({ at: since(fromMs), label: `${step.code} on` });
      run.timeline.push({
        at: since(fromMs),
        event: `${step.code} on for ${step.durationMs / 1000} s: every statement fails with it`,
      });
      if (o.upstash) {
        try {
          const aged = await ageStatsCopies(o.upstash);
          run.timeline.push({
            at: since(Date.now()),
            event: `${aged} stats cop${aged === 1 ? 'y' : 'ies'} in the cache aged past ${STATS_TTL_SECONDS} s: revalidating ${aged === 1 ? 'it' : 'them'} needs the failing database`,
          });
        } catch (err) {
          run.notes.push(
            `The stats copies could not be aged at ${since(Date.now())} s (${message(err)}): stats may have been answered fresh, without the stale-if-error path.`,
          );
        }
      }
      await sleep(toMs - Date.now());
      const n = delta(before, await applied());
      run.events.push({ kind: 'vitess', label: step.code, fromMs, toMs, applied: n });
      run.timeline.push({
        at: since(toMs),
        event: `${step.code} off (expired): the gateway failed ${n ?? 'an unknown number of'} statements with it`,
      });
    } else {
      run.drop = await clientDrop(o, run, since, applied, delta);
    }
  }
  return run;
}

async function clientDrop(
  o: DriveOptions,
  run: FaultRun,
  since: (ms: number) => number,
  applied: () => Promise<number | null>,
  delta: (a: number | null, b: number | null) => number | null,
): Promise<DropReport | null> {
  let cachedKeys: string[] | null = null;
  if (o.upstash) {
    try {
      cachedKeys = await keysLike(o.upstash, 'records:count:*');
    } catch (err) {
      run.notes.push(
        `The cached /records totals could not be listed (${message(err)}): the dropped client's key may have been cached already.`,
      );
    }
  }
  const filter = pickColdFilter(dropCandidates(), cachedKeys ?? [], o.startMs / 1000);
  if (!filter) {
    run.notes.push(
      'Every filter combination the dropped client may use had its total cached: the client drop was skipped.',
    );
    run.timeline.push({ at: since(Date.now()), event: 'client drop skipped: no uncached key' });
    return null;
  }
  const path = dropPath(filter);
  const match = dropMatch(filter);
  const before = await applied();
  try {
    // Expires on its own too: an interrupted run must not leave it for the next request of that key.
    await o.admin.inject({ delayMs: DROP.holdMs, count: 1, match, durationMs: 10_000 });
  } catch (err) {
    run.timeline.push({ at: since(Date.now()), event: `client drop: the hold could not be injected: ${message(err)}` });
    return null;
  }
  const fromMs = Date.now();
  run.markers.push({ at: since(fromMs), label: 'client drop' });
  run.timeline.push({
    at: since(fromMs),
    event: `client drop: the gateway holds the next load of \`GET ${path}\`'s total for ${DROP.holdMs} ms; the client sends it and gives up after ${DROP.abortAfterMs} ms`,
  });

  const headers = { 'x-api-key': o.api.apiKey };
  const gone = new AbortController();
  const t0 = Date.now();
  const firstP = fetch(`${o.api.url}${path}`, { headers, signal: gone.signal }).then(
    async (res) => {
      await res.arrayBuffer();
      return { aborted: false as const, status: res.status, ms: Date.now() - t0 };
    },
    (err: Error) =>
      gone.signal.aborted
        ? { aborted: true as const }
        : { aborted: false as const, status: null, ms: Date.now() - t0, error: message(err) },
  );
  await sleep(DROP.abortAfterMs);
  gone.abort();
  const first = await firstP;

  // A hang is reported as one (no response), not waited on for ever.
  const giveUpMs = o.dbTimeoutMs + 1000 + 5000;
  const burstAt = Date.now();
  run.timeline.push({
    at: since(burstAt),
    event: `client drop: ${first.aborted ? 'aborted' : `answered ${first.status ?? 'nothing'} in ${first.ms} ms, before the abort`}; a burst of ${DROP.burst} concurrent \`GET ${path}\` follows`,
  });
  const totals = new Set<number>();
  const one = async (): Promise<BurstResponse> => {
    const start = Date.now();
    try {
      const res = await fetch(`${o.api.url}${path}`, { headers, signal: AbortSignal.timeout(giveUpMs) });
      const text = await res.text();
      if (res.status === 200) {
        const total = (JSON.parse(text) as { pagination?: { total_items?: number } }).pagination?.total_items;
        if (typeof total === 'number') totals.add(total);
      }
      return { status: res.status, retryAfter: res.headers.has('retry-after'), ms: Date.now() - start };
    } catch (err) {
      return { status: null, retryAfter: false, ms: Date.now() - start, error: message(err) };
    }
  };
  const burst = await Promise.all(Array.from({ length: DROP.burst }, one));
  const toMs = Date.now();
  const n = delta(before, await applied());
  run.events.push({ kind: 'client-drop', label: 'client drop', fromMs, toMs, applied: n });
  run.timeline.push({
    at: since(toMs),
    event: `client drop: the burst's last answer (${toMs - burstAt} ms after it was sent); the hold applied to ${n ?? 'an unknown number of'} statement${n === 1 ? '' : 's'}`,
  });
  return {
    method: 'GET',
    path,
    match,
    holdMs: DROP.holdMs,
    abortAfterMs: DROP.abortAfterMs,
    first,
    burst,
    distinctTotals: totals.size,
    coldKey: cachedKeys === null ? null : true,
  };
}
