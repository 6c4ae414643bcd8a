// The local edge stack: services → schema → gateways → dataset → production bundle in a local
// Workers runtime. Used by `npm start`, the tests, the benchmarks and the load tests.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mysqlTarget, redisUrl, type MysqlTarget } from './config.ts';
import { ensureMariaDb, ensureRedis } from '../etl/targets/local-services.ts';
import { ensureDatabase } from './database.ts';
import { startPlanetScaleGateway } from './planetscale-gateway.ts';
import { startUpstashGateway } from './upstash-gateway.ts';
import { buildBundle, DEFAULT_BUNDLE_DIR, readWorkerSettings, ROOT } from './bundle.ts';
import { startMiniflareWorker, type RunningWorker } from './miniflare-worker.ts';
import { startWorkerdWorker } from './workerd-worker.ts';
import { prepareDataset, type DatasetChoice } from './dataset.ts';
import { refreshStatsCache } from '../etl/cache.ts';

export const STACK_FILE = join(ROOT, '.local', 'stack.json');
export const LOCAL_API_KEY = 'local-dev-key';

export interface StackOptions {
  /** Database the stack owns (created if missing). */
  database: string;
  /** Redis logical database for the cache: a separate "Upstash database" per stack. */
  redisDb?: number;
  dataset: DatasetChoice;
  apiPort?: number;
  planetscalePort?: number;
  upstashPort?: number;
  apiKeys?: string;
  /** Extra Worker bindings (e.g. rate-limit settings in tests). */
  extraBindings?: Record<string, string>;
  bundleDir?: string;
  /** Local Workers runtime: Miniflare (dev proxy, the default) or plain workerd (as production runs). */
  runtime?: Runtime;
  /** Reuse an existing bundle instead of building (tests build once). */
  skipBuild?: boolean;
  log?: (msg: string) => void;
}

export type Runtime = 'miniflare' | 'workerd';

export interface StackInfo {
  runtime: Runtime;
  pid: number;
  /** The production bundle the Worker serves. */
  scriptPath: string;
  database: string;
  api: { url: string; key: string };
  planetscale: { url: string; username: string; password: string };
  upstash: { url: string; token: string };
  mysql: MysqlTarget;
  redisUrl: string;
}

export interface Stack extends StackInfo {
  close(): Promise<void>;
}

function withDb(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.log ?? (() => {});
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  try {
    const mysql = await ensureMariaDb(mysqlTarget(), log);
    const redis = withDb(await ensureRedis(redisUrl(), log), opts.redisDb ?? 0);
    await ensureDatabase(mysql, opts.database);

    const username = 'nhis';
    const password = randomBytes(12).toString('hex');
    const ps = await startPlanetScaleGateway({ mysql, database: opts.database, username, password, port: opts.planetscalePort });
    closers.push(() => ps.close());
    const token = randomBytes(16).toString('hex');
    const up = await startUpstashGateway({ redisUrl: redis, token, port: opts.upstashPort });
    closers.push(() => up.close());
    log(`gateways: PlanetScale ${new URL(ps.url).host}, Upstash ${new URL(up.url).host}`);

    await prepareDataset(opts.dataset, { mysql, database: opts.database, upstash: { url: up.url, token }, log });
    // Whatever this cache holds from an earlier stack may predate the database's current state
    // (an ETL run without a cache target, a migration): start from a clean slate.
    await refreshStatsCache({ upstash: { url: up.url, token }, api: null });

    const bundleDir = opts.bundleDir ?? DEFAULT_BUNDLE_DIR;
    const scriptPath = opts.skipBuild ? join(bundleDir, 'index.js') : await buildBundle(bundleDir);
    const apiKeys = opts.apiKeys ?? LOCAL_API_KEY;
    const runtime = opts.runtime ?? 'miniflare';
    const startWorker = runtime === 'workerd' ? startWorkerdWorker : startMiniflareWorker;
    const worker: RunningWorker = await startWorker({
      scriptPath,
      settings: await readWorkerSettings(),
      secrets: {
        DATABASE_URL: ps.url,
        UPSTASH_REDIS_REST_URL: up.url,
        UPSTASH_REDIS_REST_TOKEN: token,
        API_KEYS: apiKeys,
        // The local keys are unlimited unless configured otherwise (API.md), so benchmarks and
        // load tests measure the API, not the limiter.
        RATE_LIMITS: apiKeys.split(',').map((k) => `${k.trim()}=unlimited`).join(','),
        ...opts.extraBindings,
      },
      port: opts.apiPort,
    });
    closers.push(() => worker.close());

    return {
      pid: process.pid,
      runtime,
      scriptPath,
      database: opts.database,
      api: { url: worker.url, key: apiKeys.split(',')[0]!.trim() },
      planetscale: { url: ps.url, username, password },
      upstash: { url: up.url, token },
      mysql,
      redisUrl: redis,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

export async function writeStackFile(info: StackInfo, file = STACK_FILE): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const { close: _close, ...plain } = info as Stack;
  await writeFile(file, `${JSON.stringify(plain, null, 2)}\n`, { mode: 0o600 });
}

export async function removeStackFile(file = STACK_FILE): Promise<void> {
  await rm(file, { force: true });
}

/** Whether a process (e.g. the `npm start` named in .local/stack.json) is still running. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
