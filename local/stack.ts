// The local edge stack: services → schema → gateways → dataset → production bundle in a local
// Workers runtime. Used by `npm start`, the tests, the benchmarks and the load tests.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mysqlTarget, redisUrl, type MysqlTarget } from './config.ts';
import { createClient } from 'redis';
import { ensureMariaDb, ensureRedis } from '../etl/targets/local-services.ts';
import { applySchema, createLocalDatabase } from '../etl/targets/local-database.ts';
import { planetScaleClient } from '../etl/targets/planetscale.ts';
import { startPlanetScaleGateway, type PlanetScaleGatewayOptions } from './planetscale-gateway.ts';
import type { LatencyProfile, SimulatedNetwork } from './network.ts';
import {
  startUpstashGateway,
  type RunningGateway as RunningUpstashGateway,
  type UpstashGatewayOptions,
} from './upstash-gateway.ts';
import { buildBundle, DEFAULT_BUNDLE_DIR, readWorkerSettings, ROOT } from './bundle.ts';
import { startMiniflareWorker, type RunningWorker } from './miniflare-worker.ts';
import { startWorkerdWorker } from './workerd-worker.ts';
import { prepareDataset, type DatasetChoice } from './dataset.ts';

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
  /** Extra settings of the production branch's gateway (a statement log, limits for tests). */
  planetscale?: Pick<PlanetScaleGatewayOptions, 'onStatement' | 'statementLogSize'>;
  /**
   * The edge's distance to its services: round trips the Worker's database gateway and the
   * Upstash gateway add to each request (the ETL's gateway stays next door). Default none.
   */
  latency?: { database?: LatencyProfile; upstash?: LatencyProfile };
  /** Extra settings of the Upstash gateway (a far primary region, for tests). */
  upstash?: Pick<UpstashGatewayOptions, 'replication'>;
  /** Extra Worker bindings (e.g. rate-limit settings in tests). */
  extraBindings?: Record<string, string>;
  /**
   * How many isolates serve the bundle, each a runtime process of its own with its own port, L1
   * and rate-limit counts, in front of the same gateways (as production runs many). Default 1.
   */
  isolates?: number;
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
  /** Every isolate's URL (`api.url` is the first), when the stack runs more than one. */
  isolateUrls: string[];
  /** The production branch, with a password that may write (the ETL's). */
  planetscale: { url: string; username: string; password: string };
  /** The same branch with a reader-role password: the Worker's DATABASE_URL. */
  planetscaleReader: { url: string };
  upstash: { url: string; token: string };
  mysql: MysqlTarget;
  redisUrl: string;
}

export interface Stack extends StackInfo {
  /** The Upstash gateway: its counters (requests that wrote, that read, reads a sync token held) and its distance to the primary. */
  upstashGateway: Pick<RunningUpstashGateway, 'stats' | 'setReplication'>;
  /** The simulated networks between the Worker and its database and Upstash gateways. */
  networks: {
    database: Pick<SimulatedNetwork, 'setLatency' | 'trips'>;
    upstash: Pick<SimulatedNetwork, 'setLatency' | 'trips'>;
  };
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
    await createLocalDatabase(mysql, opts.database);
    await deploySchema(mysql, opts.database);

    const username = 'nhis';
    const password = randomBytes(12).toString('hex');
    // The production branch: safe migrations on, so any DDL is refused as PlanetScale refuses it.
    const ps = await startPlanetScaleGateway({
      mysql,
      database: opts.database,
      username,
      password,
      port: opts.planetscalePort,
      safeMigrations: true,
      ...opts.planetscale,
    });
    closers.push(() => ps.close());
    // The Worker's own password has PlanetScale's reader role, as the README's Deploying asks:
    // everything the API sends must work without the right to write.
    const reader = await startPlanetScaleGateway({
      mysql,
      database: opts.database,
      username: 'nhis-reader',
      password: randomBytes(12).toString('hex'),
      safeMigrations: true,
      role: 'reader',
      latency: opts.latency?.database,
    });
    closers.push(() => reader.close());
    const token = randomBytes(16).toString('hex');
    const up = await startUpstashGateway({
      redisUrl: redis,
      token,
      port: opts.upstashPort,
      latency: opts.latency?.upstash,
      ...opts.upstash,
    });
    closers.push(() => up.close());
    log(`gateways: PlanetScale ${new URL(ps.url).host}, Upstash ${new URL(up.url).host}`);

    // Cached bodies are keyed by dataset id, and a recreated local database numbers its datasets
    // from 1 again: this stack's own Upstash database starts empty.
    await flushRedis(redis);
    // The production path: the ETL with DATABASE_URL alone, through the strict gateway.
    await prepareDataset(opts.dataset, { databaseUrl: ps.url, mysql, database: opts.database, log });

    const bundleDir = opts.bundleDir ?? DEFAULT_BUNDLE_DIR;
    const scriptPath = opts.skipBuild ? join(bundleDir, 'index.js') : await buildBundle(bundleDir);
    const apiKeys = opts.apiKeys ?? LOCAL_API_KEY;
    const runtime = opts.runtime ?? 'miniflare';
    const startWorker = runtime === 'workerd' ? startWorkerdWorker : startMiniflareWorker;
    const settings = await readWorkerSettings();
    const secrets = {
      DATABASE_URL: reader.url,
      UPSTASH_REDIS_REST_URL: up.url,
      UPSTASH_REDIS_REST_TOKEN: token,
      API_KEYS: apiKeys,
      // The local keys are unlimited unless configured otherwise (docs/api.md#rate-limits), so benchmarks and
      // load tests measure the API, not the limiter.
      RATE_LIMITS: apiKeys
        .split(',')
        .map((k) => `${k.trim()}=unlimited`)
        .join(','),
      ...opts.extraBindings,
    };
    const workers: RunningWorker[] = [];
    for (let i = 0; i < Math.max(1, opts.isolates ?? 1); i++) {
      // The first isolate takes the requested port; the others any free one.
      const worker = await startWorker({ scriptPath, settings, secrets, port: i === 0 ? opts.apiPort : 0 });
      closers.push(() => worker.close());
      workers.push(worker);
    }

    return {
      pid: process.pid,
      runtime,
      scriptPath,
      database: opts.database,
      api: { url: workers[0]!.url, key: apiKeys.split(',')[0]!.trim() },
      isolateUrls: workers.map((w) => w.url),
      planetscale: { url: ps.url, username, password },
      planetscaleReader: { url: reader.url },
      upstash: { url: up.url, token },
      mysql,
      redisUrl: redis,
      upstashGateway: { stats: () => up.stats(), setReplication: (p) => up.setReplication(p) },
      networks: { database: reader.network, upstash: up.network },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Applies the schema files as a deploy request would: on a development branch (a gateway with
 * safe migrations off, so the files pass the same checks PlanetScale makes), then the production
 * branch (the same database here) has them.
 */
async function deploySchema(mysql: MysqlTarget, database: string): Promise<void> {
  const password = randomBytes(12).toString('hex');
  const dev = await startPlanetScaleGateway({ mysql, database, username: 'schema', password, safeMigrations: false });
  try {
    await applySchema(planetScaleClient({ url: dev.url }));
  } finally {
    await dev.close();
  }
}

async function flushRedis(url: string): Promise<void> {
  const client = createClient({ url, RESP: 2 });
  await client.connect();
  try {
    await client.flushDb();
  } finally {
    await client.quit();
  }
}

export async function writeStackFile(info: StackInfo, file = STACK_FILE): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const { close: _close, upstashGateway: _upstash, networks: _networks, ...plain } = info as Stack;
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
