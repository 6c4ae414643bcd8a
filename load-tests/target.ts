// Where the load goes: a running `npm start` stack (.local/stack.json, pid alive, /health answers),
// else a stack of our own (own database and Redis db, small dataset) stopped afterwards, or a URL
// given with --target. Without --target, only loopback addresses are ever sent traffic.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../local/bundle.ts';
import { DEMO_SEED } from '../local/dataset.ts';
import type { LatencyProfile } from '../local/network.ts';
import { STACK_FILE, isAlive, startStack, type StackInfo } from '../local/stack.ts';

export const LOADTEST_DATABASE = 'nhis_loadtest';
export const LOADTEST_REDIS_DB = 4;
export const LOADTEST_ROWS = 200_000;

export interface Target {
  url: string;
  apiKey: string;
  /** local-stack: a running `npm start`; local-started: ours, for this run; explicit: --target. */
  kind: 'local-stack' | 'local-started' | 'explicit';
  /** Local stacks: the runtime serving the bundle. */
  runtime?: string;
  /** Local stacks: the Upstash gateway, so the stampede scenario can delete keys. */
  upstash?: { url: string; token: string };
  /**
   * Local stacks: the PlanetScale gateway the Worker queries (its DATABASE_URL, reader role, the
   * credentials in the URL), so the faults scenario can inject errors where the API meets them.
   */
  planetscaleReader?: { url: string };
  close(): Promise<void>;
}

export class TargetError extends Error {}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopback(url: string): boolean {
  try {
    return LOOPBACK.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(3_000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** An edge location far from the database region: the profile the README's latency figures use. */
export const EDGE_PROFILE = {
  database: { rttMs: 60, jitterMs: 10 },
  upstash: { rttMs: 5, jitterMs: 2 },
} as const satisfies Record<string, LatencyProfile>;

export interface TargetOptions {
  target?: string;
  apiKey?: string;
  runtime: 'miniflare' | 'workerd';
  rows: number;
  /** Round trips the started stack's gateways add (local/network.ts); a running `npm start` has none, so it is not reused. */
  latency?: { database?: LatencyProfile; upstash?: LatencyProfile };
  log: (msg: string) => void;
}

export async function resolveTarget(opts: TargetOptions): Promise<Target> {
  if (opts.target) {
    let url: URL;
    try {
      url = new URL(opts.target);
    } catch {
      throw new TargetError(`--target must be an http(s) URL, got '${opts.target}'`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TargetError(`--target must be an http(s) URL, got '${opts.target}'`);
    const apiKey = opts.apiKey ?? process.env.NHIS_API_KEY;
    if (!apiKey) throw new TargetError('--target needs --api-key KEY (or NHIS_API_KEY in the environment)');
    const origin = url.origin + url.pathname.replace(/\/+$/, '');
    return { url: origin, apiKey, kind: 'explicit', close: async () => {} };
  }

  if (existsSync(STACK_FILE) && !opts.latency) {
    const info = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackInfo;
    if (!isLoopback(info.api.url))
      throw new TargetError(
        `${STACK_FILE} points at ${info.api.url}, not this machine; pass it with --target to load it`,
      );
    if (isAlive(info.pid) && (await answers(info.api.url))) {
      opts.log(
        `reusing the running local stack (npm start, pid ${info.pid}) at ${info.api.url}, runtime ${info.runtime}`,
      );
      return {
        url: info.api.url,
        apiKey: opts.apiKey ?? info.api.key,
        kind: 'local-stack',
        runtime: info.runtime,
        upstash: info.upstash,
        // A stack.json from before the reader gateway was recorded has none.
        ...(info.planetscaleReader ? { planetscaleReader: info.planetscaleReader } : {}),
        close: async () => {},
      };
    }
  }

  opts.log(
    `no running local stack: starting one (database ${LOADTEST_DATABASE}, Redis db ${LOADTEST_REDIS_DB}, ${opts.rows.toLocaleString('en-US')} rows, ${opts.runtime})`,
  );
  const stack = await startStack({
    database: LOADTEST_DATABASE,
    redisDb: LOADTEST_REDIS_DB,
    dataset: { kind: 'rows', rows: opts.rows, seed: DEMO_SEED },
    apiPort: 0,
    planetscalePort: 0,
    upstashPort: 0,
    bundleDir: join(ROOT, '.local', 'loadtest-build'),
    runtime: opts.runtime,
    ...(opts.latency ? { latency: opts.latency } : {}),
    log: opts.log,
  });
  return {
    url: stack.api.url,
    apiKey: stack.api.key,
    kind: 'local-started',
    runtime: stack.runtime,
    upstash: stack.upstash,
    planetscaleReader: stack.planetscaleReader,
    close: () => stack.close(),
  };
}
