// The bench's own local stack (its own database and Redis logical db, so `npm start` is never
// disturbed) and the Worker instances measured on it: the API in each runtime, its uncached twin
// (bench/http/uncached-entry.ts, on its own empty Upstash database), the floor Worker
// (bench/http/floor-entry.ts), the fetch floor (bench/http/fetch-floor-entry.ts, under callgrind
// only) and the ceiling Worker.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { MysqlTarget } from '../../local/config.ts';
import { ROOT, buildBundle, readWorkerSettings, type WorkerSettings } from '../../local/bundle.ts';
import { startCeilingWorker, WORKER_RUNTIMES } from './ceiling-worker.ts';
import { DEMO_SEED } from '../../local/dataset.ts';
import type { RunningWorker, WorkerSecrets } from '../../local/miniflare-worker.ts';
import { startStack, type Stack } from '../../local/stack.ts';
import { startUpstashGateway } from '../../local/upstash-gateway.ts';
import { startWorkerdWorker, type RunningWorkerd, type WorkerdWorkerOptions } from '../../local/workerd-worker.ts';
import { createRng } from '../../etl/generate/prng.ts';
import { statsCacheKeys } from '../../src/data/cache-keys.ts';
import { liveDatasetOf, POINTER_SQL } from '../../src/data/planetscale-store.ts';
import { deleteKeys } from '../../loadkit/http/upstash-rest.ts';
import type { Runtime } from '../report/types.ts';

const BUILD_DIR = join(ROOT, '.local', 'bench-build');
const UNCACHED_ENTRY = join(ROOT, 'bench', 'http', 'uncached-entry.ts');
const FLOOR_ENTRY = join(ROOT, 'bench', 'http', 'floor-entry.ts');
const FETCH_FLOOR_ENTRY = join(ROOT, 'bench', 'http', 'fetch-floor-entry.ts');

export interface BenchStackOptions {
  rows: number;
  database: string;
  /** Redis logical db of the API's cache; the uncached twin gets `redisDb + 4`, empty at start. */
  redisDb: number;
  firstRuntime: Runtime;
  log: (msg: string) => void;
}

/** How `launched` runs workerd: under `launcher`, with V8 flags, its output to `onOutput`. */
export type Launch = Required<Pick<WorkerdWorkerOptions, 'launcher' | 'startupTimeoutMs'>> &
  Pick<WorkerdWorkerOptions, 'v8Flags' | 'onOutput'>;

export interface BenchStack {
  stack: Stack;
  settings: WorkerSettings;
  /** The API in `runtime` (the stack's own worker for the first runtime). */
  api(runtime: Runtime): Promise<RunningWorker>;
  uncached(runtime: Runtime): Promise<RunningWorker>;
  /** The app's request pipeline with no route work (bench/http/floor-entry.ts). */
  floor(runtime: Runtime): Promise<RunningWorker>;
  ceiling(runtime: Runtime): Promise<RunningWorker>;
  /** The API, the floor and the ceiling under workerd run by a launcher (e.g. valgrind: bench/http/instructions.ts). */
  launched(how: Launch): {
    api(): Promise<RunningWorkerd>;
    floor(): Promise<RunningWorkerd>;
    ceiling(): Promise<RunningWorker & { pid?: number }>;
    /** The uncached twin (its L2 emptied of the stats keys first). */
    uncached(): Promise<RunningWorkerd>;
    /** The database-backed endpoints' subrequests alone (bench/http/fetch-floor-entry.ts). */
    fetchFloor(): Promise<RunningWorkerd>;
  };
  close(): Promise<void>;
}

/** `wrangler deploy --dry-run` of the uncached entry: the same bundler and settings as production. */
const buildUncached = (outdir: string) => buildBundle(outdir, 'production', UNCACHED_ENTRY);
const buildFloor = (outdir: string) => buildBundle(outdir, 'production', FLOOR_ENTRY);
const buildFetchFloor = (outdir: string) => buildBundle(outdir, 'production', FETCH_FLOOR_ENTRY);

function withDb(url: string, db: number): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** The live dataset's cache tag (the stats keys carry it), read as the Worker reads it. */
async function liveTag(target: MysqlTarget, database: string): Promise<string> {
  const conn = await mysql.createConnection({ ...target, database, dateStrings: true });
  try {
    const [rows] = await conn.query<RowDataPacket[]>(POINTER_SQL);
    const live = liveDatasetOf(rows[0]);
    if (live.tag === null) throw new Error(`${database} has no live dataset`);
    return live.tag;
  } finally {
    await conn.end();
  }
}

export async function startBenchStack(opts: BenchStackOptions): Promise<BenchStack> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  // The twin's and the floor's bundles build while the stack comes up (wrangler and the dataset check overlap).
  const uncachedBuild = buildUncached(join(BUILD_DIR, 'uncached'));
  const floorBuild = buildFloor(join(BUILD_DIR, 'floor'));
  const fetchFloorBuild = buildFetchFloor(join(BUILD_DIR, 'fetch-floor'));
  for (const b of [uncachedBuild, floorBuild, fetchFloorBuild]) b.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
  try {
    const stack = await startStack({
      database: opts.database,
      redisDb: opts.redisDb,
      dataset: { kind: 'rows', rows: opts.rows, seed: DEMO_SEED },
      apiPort: 0,
      planetscalePort: 0,
      upstashPort: 0,
      bundleDir: join(BUILD_DIR, 'api'),
      runtime: opts.firstRuntime,
      log: opts.log,
    });
    closers.push(() => stack.close());
    const settings = await readWorkerSettings();
    const key = stack.api.key;
    const secrets: WorkerSecrets = {
      DATABASE_URL: stack.planetscale.url,
      UPSTASH_REDIS_REST_URL: stack.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: stack.upstash.token,
      API_KEYS: key,
      RATE_LIMITS: `${key}=unlimited`,
    };
    // The uncached twin writes its loads to L2 stamped with its jumping clock, far in the future:
    // the API would take such a copy as fresh, so the twin gets an Upstash database of its own.
    const token = randomBytes(16).toString('hex');
    const upstash = await startUpstashGateway({ redisUrl: withDb(stack.redisUrl, opts.redisDb + 4), token, port: 0 });
    closers.push(() => upstash.close());
    const uncachedScript = await uncachedBuild;
    const floorScript = await floorBuild;
    const fetchFloorScript = await fetchFloorBuild;
    const uncachedSecrets = { ...secrets, UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: token };
    const ceilingDir = await mkdtemp(join(tmpdir(), 'nhis-ceiling-'));
    closers.push(() => rm(ceilingDir, { recursive: true, force: true }));

    return {
      stack,
      settings,
      api: async (runtime) =>
        runtime === stack.runtime
          ? { url: stack.api.url, port: Number(new URL(stack.api.url).port), close: async () => {} } // closed with the stack
          : WORKER_RUNTIMES[runtime]({ scriptPath: stack.scriptPath, settings, secrets }),
      uncached: async (runtime) => {
        // Start from an empty L2 (the twin also re-stamps what it reads, so a leftover could not look fresh anyway).
        await deleteKeys({ url: upstash.url, token }, statsCacheKeys(await liveTag(stack.mysql, stack.database)));
        return WORKER_RUNTIMES[runtime]({ scriptPath: uncachedScript, settings, secrets: uncachedSecrets });
      },
      floor: (runtime) => WORKER_RUNTIMES[runtime]({ scriptPath: floorScript, settings, secrets }),
      ceiling: (runtime) => startCeilingWorker({ runtime, dir: ceilingDir, settings }),
      launched: (how) => ({
        api: () => startWorkerdWorker({ scriptPath: stack.scriptPath, settings, secrets, ...how }),
        floor: () => startWorkerdWorker({ scriptPath: floorScript, settings, secrets, ...how }),
        ceiling: () => startCeilingWorker({ runtime: 'workerd', dir: ceilingDir, settings, ...how }),
        uncached: async () => {
          await deleteKeys({ url: upstash.url, token }, statsCacheKeys(await liveTag(stack.mysql, stack.database)));
          return startWorkerdWorker({ scriptPath: uncachedScript, settings, secrets: uncachedSecrets, ...how });
        },
        fetchFloor: () => startWorkerdWorker({ scriptPath: fetchFloorScript, settings, secrets, ...how }),
      }),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Rows, valid rows, the last id and a pool of random valid ids, read from the bench database. */
export async function datasetFacts(
  stack: Stack,
  poolSize: number,
): Promise<{ total: number; valid: number; ids: number[] }> {
  const conn = await mysql.createConnection({ ...stack.mysql, database: stack.database });
  try {
    // Every dataset table is keyed by the dataset id: read the live dataset's own rows.
    const [sum] = await conn.query(
      'SELECT d.id AS id, d.total_records AS total, d.valid_records AS valid, d.max_record_id AS maxId FROM dataset_pointer p JOIN datasets d ON d.id = p.live_dataset WHERE p.id = 1',
    );
    const s = (sum as { id: number; total: number; valid: number; maxId: number | null }[])[0] ?? {
      id: 0,
      total: 0,
      valid: 0,
      maxId: 0,
    };
    const maxId = Number(s.maxId ?? 0);
    const rng = createRng('bench-record-ids');
    const candidates = Array.from({ length: poolSize * 4 }, () => 1 + Math.floor(rng.next() * maxId));
    const [rows] = candidates.length
      ? await conn.query('SELECT id FROM health_records WHERE dataset_id = ? AND invalid_flag = 0 AND id IN (?)', [
          s.id,
          candidates,
        ])
      : [[]];
    const valid = new Set((rows as { id: number }[]).map((r) => Number(r.id)));
    const ids = [...new Set(candidates.filter((id) => valid.has(id)))].slice(0, poolSize);
    return { total: Number(s.total), valid: Number(s.valid), ids };
  } finally {
    await conn.end();
  }
}
