// The production sequence against the strict local stack, as a new user runs it: the schema
// reaches the production branch through a development branch (the stack applies the schema
// files there), the production branch has safe migrations on, `npm run etl` runs with
// DATABASE_URL alone, the API serves what it loaded, a second load with --replace, --rollback,
// and a kill -9 mid-load that leaves the live dataset serving. The gateway's statement log for
// the whole sequence holds no DDL, no refused statement and nothing over a system limit.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateFile } from '../../etl/generate/generator.ts';
import { ETL_NODE_FLAGS } from '../../etl/options.ts';
import { ROOT } from '../../local/bundle.ts';
import type { StatementLogEntry } from '../../local/planetscale-gateway.ts';
import mysql from 'mysql2/promise';
import { ensureMariaDb } from '../../etl/targets/local-services.ts';
import { startStack, type Stack } from '../../local/stack.ts';

const DB = 'nhis_test_production';
const L1_TTL_MS = 3000;
const dir = mkdtempSync(join(tmpdir(), 'production-'));
const first = join(dir, 'nhis-2024.csv');
const second = join(dir, 'nhis-2024-corrected.csv');
const big = join(dir, 'nhis-big.csv');
const log: StatementLogEntry[] = [];
let stack: Stack;

interface RiskStats {
  total_records: number;
  valid_records: number;
}

beforeAll(async () => {
  // A new user's database: nothing loaded yet (an earlier run of this test left its datasets).
  const admin = await mysql.createConnection(await ensureMariaDb());
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.end();
  stack = await startStack({
    database: DB,
    redisDb: 6,
    dataset: { kind: 'none' },
    apiPort: 0,
    planetscalePort: 0,
    upstashPort: 0,
    apiKeys: 'production-test-key',
    bundleDir: dirname(inject('stack').scriptPath),
    skipBuild: true,
    runtime: 'workerd',
    planetscale: { onStatement: (e) => log.push(e) },
  });
  await generateFile(first, { rows: 3000, seed: 'production-1' });
  await generateFile(second, { rows: 4000, seed: 'production-2' });
  await generateFile(big, { rows: 60_000, seed: 'production-big' });
}, 300_000);

afterAll(async () => {
  await stack?.close();
});

/** `npm run etl -- ARGS` as a user runs it: DATABASE_URL is the only credential it has. */
function etl(
  args: string[],
  onStderr?: (text: string, kill: () => void) => void,
): Promise<{ code: number | null; stderr: string; signal: string | null }> {
  const argv = [...ETL_NODE_FLAGS, '--import', 'tsx', 'etl/cli.ts', '--progress', 'none', ...args];
  const child = spawn(process.execPath, argv, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: stack.planetscale.url,
      NHIS_API_URL: stack.api.url,
      NHIS_API_KEY: stack.api.key,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, () => child.kill('SIGKILL'));
  });
  child.stdout.resume();
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, stderr, signal })));
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, stack.api.url), { headers: { 'X-API-KEY': stack.api.key } });
  expect(res.status, path).toBe(200);
  expect(res.headers.get('x-cache') ?? '', path).not.toBe('STALE');
  return (await res.json()) as T;
}

/** Waits (at most one L1 lifetime and a second) until the API serves a dataset of `total` rows. */
async function servedTotal(total: number): Promise<void> {
  const t0 = Date.now();
  while ((await get<RiskStats>('/stats/risk')).total_records !== total) {
    if (Date.now() - t0 > L1_TTL_MS + 1000)
      throw new Error(`the API does not serve ${total} rows after ${Date.now() - t0} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the API serves, read through every dataset endpoint. */
async function served() {
  const risk = await get<RiskStats>('/stats/risk');
  const age = await get<{ total_records: number }>('/stats/age');
  const page = await get<{ data: { id: number }[]; pagination: { total_items: number } }>('/records?gender=1&limit=5');
  const record = await get<{ id: number; bmi: number }>(`/records/${page.data[0]?.id}`);
  return {
    total: risk.total_records,
    valid: risk.valid_records,
    ageTotal: age.total_records,
    women: page.pagination.total_items,
    record,
  };
}

describe('the production sequence on the strict local stack', () => {
  let firstServed: Awaited<ReturnType<typeof served>>;
  let secondServed: Awaited<ReturnType<typeof served>>;

  it('loads with DATABASE_URL alone, and the API serves it', async () => {
    expect((await get<RiskStats>('/stats/risk')).total_records).toBe(0); // the schema, no dataset yet
    const run = await etl(['--input', first]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Dataset #\d+ is live/);
    await servedTotal(3000);
    firstServed = await served();
    expect(firstServed.ageTotal).toBe(firstServed.valid);
  });

  it('replaces it with a second load, shown everywhere within the L1 lifetime', async () => {
    const run = await etl(['--input', second, '--replace']);
    expect(run.code, run.stderr).toBe(0);
    await servedTotal(4000);
    secondServed = await served();
    expect(secondServed.valid).not.toBe(firstServed.valid);
    expect(secondServed.women).not.toBe(firstServed.women);
  });

  it('rolls back at once to the first dataset, with every endpoint showing it', async () => {
    const run = await etl(['--rollback']);
    expect(run.code, run.stderr).toBe(0);
    await servedTotal(3000);
    expect(await served()).toEqual(firstServed);
  });

  it('keeps serving the live dataset when a load is killed (kill -9) mid-load', async () => {
    let sawRows = false;
    const run = await etl(['--input', big, '--chunk-bytes', '256k', '--lock-ttl', '2'], (text, kill) => {
      if (!sawRows && text.includes('Loading ')) {
        sawRows = true;
        // Let some INSERTs land first, then kill.
        setTimeout(kill, 400);
      }
    });
    expect(run.signal).toBe('SIGKILL');
    expect(log.some((e) => e.kind === 'insert' && e.sql.startsWith('INSERT INTO health_records'))).toBe(true);
    expect(await served()).toEqual(firstServed);
    // The next run waits out the killed run's lock, removes its rows, and loads.
    const next = await etl(['--input', second, '--replace', '--lock-wait', '10']);
    expect(next.code, next.stderr).toBe(0);
    await servedTotal(4000);
  });

  it('sent no DDL, nothing refused and nothing over a limit through the whole sequence', () => {
    // The log covers the whole sequence: every load's rows and every switch of the pointer
    // (the first load, the replace, the rollback and the load after the kill).
    expect(log.filter((e) => e.sql.startsWith('INSERT INTO health_records')).length).toBeGreaterThanOrEqual(4);
    expect(log.filter((e) => e.sql.startsWith('UPDATE dataset_pointer SET live_dataset')).length).toBe(4);
    const ddl = log.filter((e) => e.kind === 'ddl');
    expect(ddl.map((e) => e.sql)).toEqual([]);
    const refused = log.filter((e) => e.refused || e.code !== undefined);
    expect(refused.map((e) => `${e.code} ${e.rule ?? ''} ${e.sql.slice(0, 80)}`)).toEqual([]);
    // PlanetScale's limits: 100,000 rows read or changed per statement, 30 s per DML statement.
    expect(Math.max(...log.map((e) => Math.max(e.rows, e.rowsAffected)))).toBeLessThanOrEqual(100_000);
    expect(Math.max(...log.map((e) => e.durationMs))).toBeLessThan(30_000);
  });
});
