// One autocannon run in its worker-thread mode (workers: 1), with every response's latency, status,
// endpoint, X-Cache and Retry-After presence streamed back by the probe (probe-client.cjs), so
// percentiles (p95 included) and per-second series come from all samples, not from autocannon's
// fixed percentile list.
import { BroadcastChannel } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import autocannon, { type AutocannonInstance, type AutocannonResult } from 'autocannon';

const PROBE_CLIENT = join(import.meta.dirname, 'probe-client.cjs');
/** How long to wait for the probe's last batch once autocannon has resolved. */
const DRAIN_TIMEOUT_MS = 3_000;

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface ErrorSample {
  at: number;
  status: number;
  method: string;
  path: string;
  body: string;
}

export interface ConnectionError {
  at: number;
  kind: string;
  /** The endpoint ("GET /records/:id") the connection was requesting. */
  endpoint?: string;
}

export interface LoadSamples {
  /** Completion time of each response, ms since the epoch. */
  at: Float64Array;
  /** Latency of each response, ms (autocannon's own clock). */
  ms: Float32Array;
  status: Uint16Array;
  /** Index into `endpoints` of each response. */
  endpoint: Uint16Array;
  /** Endpoint names, e.g. "GET /records/:id". */
  endpoints: string[];
  /** X-Cache of each response as an index into CACHE_TIERS of summary.ts (0: no header). */
  cache: Uint8Array;
  /**
   * 1 for each response of status ≥ 400 that carried a Retry-After header, else 0. Absent when
   * the samples were made without it (older stored runs, hand-built samples).
   */
  retryAfter?: Uint8Array;
  /** Connection errors and timeouts (no response). */
  errors: ConnectionError[];
  errorSamples: ErrorSample[];
}

export interface LoadBatch {
  at: Float64Array;
  ms: Float32Array;
  status: Uint16Array;
  /** Index into `groups`, the probe's endpoint names so far. */
  group: Uint16Array;
  groups: string[];
  cache: Uint8Array;
  retryAfter: Uint8Array;
  errors: ConnectionError[];
}

export interface LoadOptions {
  /** Origin, e.g. http://127.0.0.1:8787. */
  url: string;
  /** Cycled in order by every connection. */
  requests: RequestSpec[];
  headers?: Record<string, string>;
  connections: number;
  durationS: number;
  /** Each connection starts at a random request of the list (mixed traffic). */
  shuffle?: boolean;
  /** Per-request timeout, s (autocannon default 10). */
  timeoutS?: number;
  /** Called with each batch as it arrives (progress). */
  onBatch?: (batch: LoadBatch) => void;
}

export interface LoadRun {
  startedAt: number;
  finishedAt: number;
  /** Wall time of the run as autocannon measured it, s. */
  durationS: number;
  samples: LoadSamples;
  /** autocannon's own aggregate, kept for cross-checking. */
  autocannon: Pick<AutocannonResult, 'errors' | 'timeouts' | 'non2xx' | 'resets' | 'statusCodeStats'> & {
    requestsPerSecondMean: number;
    latencyP50: number;
    latencyP99: number;
  };
}

function concat<T extends Float64Array | Float32Array | Uint16Array | Uint8Array>(
  parts: T[],
  make: (n: number) => T,
): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function restoreEnv(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** Runs autocannon (workers: 1) for `durationS` and returns every sample. */
export async function runLoad(opts: LoadOptions): Promise<LoadRun> {
  const name = `nhis-load-probe-${randomBytes(6).toString('hex')}`;
  const channel = new BroadcastChannel(name);
  const at: Float64Array[] = [];
  const ms: Float32Array[] = [];
  const status: Uint16Array[] = [];
  const endpoint: Uint16Array[] = [];
  const endpoints: string[] = [];
  const cache: Uint8Array[] = [];
  const retryAfter: Uint8Array[] = [];
  const errors: ConnectionError[] = [];
  const errorSamples: ErrorSample[] = [];
  let markDone!: () => void;
  const done = new Promise<void>((r) => (markDone = r));
  channel.onmessage = (event) => {
    const msg = (event as MessageEvent).data as { type: string } & Partial<LoadBatch> & { sample?: ErrorSample };
    if (msg.type === 'batch') {
      const batch = msg as unknown as LoadBatch;
      at.push(batch.at);
      ms.push(batch.ms);
      status.push(batch.status);
      const global = batch.groups.map((name) => {
        const i = endpoints.indexOf(name);
        return i >= 0 ? i : endpoints.push(name) - 1;
      });
      endpoint.push(batch.group.map((g) => global[g] ?? 0));
      cache.push(batch.cache);
      retryAfter.push(batch.retryAfter);
      errors.push(...batch.errors);
      opts.onBatch?.(batch);
    } else if (msg.type === 'error-sample' && msg.sample) errorSamples.push(msg.sample);
    else if (msg.type === 'done') markDone();
  };

  // The worker thread copies process.env when autocannon creates it (synchronously, below).
  const previous = { probe: process.env.NHIS_LOAD_PROBE, shuffle: process.env.NHIS_LOAD_SHUFFLE };
  process.env.NHIS_LOAD_PROBE = name;
  process.env.NHIS_LOAD_SHUFFLE = opts.shuffle ? '1' : '0';
  const startedAt = Date.now();
  let result: AutocannonResult;
  try {
    let instance: AutocannonInstance;
    try {
      instance = autocannon({
        url: opts.url,
        workers: 1,
        connections: opts.connections,
        duration: opts.durationS,
        timeout: opts.timeoutS ?? 10,
        headers: opts.headers,
        setupClient: PROBE_CLIENT,
        requests: opts.requests,
      });
    } finally {
      restoreEnv('NHIS_LOAD_PROBE', previous.probe);
      restoreEnv('NHIS_LOAD_SHUFFLE', previous.shuffle);
    }
    result = await instance;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((r) => (timer = setTimeout(r, DRAIN_TIMEOUT_MS)))]);
    clearTimeout(timer);
  } finally {
    channel.close();
  }
  return {
    startedAt,
    finishedAt: Date.now(),
    durationS: result.duration,
    samples: {
      at: concat(at, (n) => new Float64Array(n)),
      ms: concat(ms, (n) => new Float32Array(n)),
      status: concat(status, (n) => new Uint16Array(n)),
      endpoint: concat(endpoint, (n) => new Uint16Array(n)),
      endpoints,
      cache: concat(cache, (n) => new Uint8Array(n)),
      retryAfter: concat(retryAfter, (n) => new Uint8Array(n)),
      errors,
      errorSamples,
    },
    autocannon: {
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      resets: result.resets,
      statusCodeStats: result.statusCodeStats,
      requestsPerSecondMean: result.requests.average,
      latencyP50: result.latency.p50,
      latencyP99: result.latency.p99,
    },
  };
}
