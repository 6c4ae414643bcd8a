// What the API can never see, on the production path (the PlanetScale driver into the strict
// local gateway): a killed (kill -9) or aborted load, a file with an unknown header, a dry run.
// The live dataset stays intact, the run lock lapses, and the next run completes and removes
// what the killed one wrote. Also: an older year's UTF-8 (BOM) layout loads like the 2024 one.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFile } from '../../etl/generate/generator.ts';
import { ETL_NODE_FLAGS } from '../../etl/options.ts';
import { runEtl, type EtlOptions, type EtlTarget } from '../../etl/run.ts';
import { ensureLocalDatabase } from '../../etl/targets/local-database.ts';
import { ensureMariaDb } from '../../etl/targets/local-services.ts';
import { startPlanetScaleGateway, type RunningGateway } from '../../local/planetscale-gateway.ts';

const DB = 'nhis_test_etl_safety';
const dir = mkdtempSync(join(tmpdir(), 'etl-safety-'));
const small = join(dir, 'small.csv');
const bigger = join(dir, 'bigger.csv');
const legacy = join(dir, 'legacy-utf8.csv');
let target: EtlTarget;
let gateway: RunningGateway;
let conn: Connection;

const etl = (input: string, extra: Partial<EtlOptions> = {}) =>
  runEtl({ input, target, workers: 2, chunkBytes: 128 * 1024, progress: 'none', removalGraceMs: 0, ...extra });
const one = async (sql: string) => ((await conn.query<RowDataPacket[]>(sql))[0][0] ?? {}) as RowDataPacket;
/** What the API serves: the live dataset's totals, its rows and its files. */
const dataset = () =>
  one(`SELECT d.id, d.total_records AS total, d.valid_records AS valid,
         (SELECT COUNT(*) FROM health_records h WHERE h.dataset_id = d.id) AS n,
         (SELECT GROUP_CONCAT(file_sha256) FROM dataset_files f WHERE f.dataset_id = d.id) AS files
       FROM dataset_pointer p JOIN datasets d ON d.id = p.live_dataset WHERE p.id = 1`);
/** Rows of datasets that are neither live nor the rollback target (a killed or aborted load's). */
const leftovers = async () =>
  Number(
    (
      await one(
        'SELECT COUNT(*) AS n FROM health_records h JOIN dataset_pointer p ON p.id = 1 WHERE NOT (h.dataset_id <=> p.live_dataset) AND NOT (h.dataset_id <=> p.previous_dataset)',
      )
    ).n,
  );

beforeAll(async () => {
  const server = await ensureMariaDb();
  const admin = await mysql.createConnection(server);
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.end();
  await ensureLocalDatabase(server, DB);
  conn = await mysql.createConnection({ ...server, database: DB });
  gateway = await startPlanetScaleGateway({
    mysql: server,
    database: DB,
    username: 'etl',
    password: 'etl-safety-password',
  });
  target = { kind: 'planetscale', url: gateway.url };
  await generateFile(small, { rows: 3000, seed: 'small' });
  await generateFile(bigger, { rows: 20_000, seed: 'bigger' });
  await generateFile(legacy, { rows: 3000, seed: 'small', encoding: 'utf8', bom: true, layout: 'legacy', eol: '\n' });
  expect((await etl(small)).status).toBe('loaded');
}, 120_000);

afterAll(async () => {
  await conn?.end();
  await gateway?.close();
});

describe('ETL safety', () => {
  it('survives kill -9 mid-load: the live dataset stays, the lock lapses, the next run completes and removes the partial one', async () => {
    const before = await dataset();
    const cli = [
      ...ETL_NODE_FLAGS,
      '--import',
      'tsx',
      'etl/cli.ts',
      '--input',
      bigger,
      '--chunk-bytes',
      '64k',
      '--progress',
      'none',
      '--lock-ttl',
      '2',
    ];
    const child = spawn(process.execPath, cli, {
      cwd: join(import.meta.dirname, '..', '..'),
      env: { ...process.env, DATABASE_URL: gateway.url, NHIS_API_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('Loading ')) {
          child.kill('SIGKILL'); // mid-load: the worker pool is starting or writing the new dataset
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`ETL exited before loading: ${stderr}`)));
    });
    await new Promise((r) => child.once('exit', r));
    expect(await dataset()).toEqual(before);
    const [running] = (
      await conn.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM etl_runs WHERE status = 'running'")
    )[0];
    expect(running?.n).toBe(1); // the killed run, marked by the next one
    // The killed run's lock is still held for its time-to-live: a run that does not wait is refused.
    await expect(etl(bigger, { lock: { waitMs: 0 } })).rejects.toThrow(/Another ETL run is working on this database/);
    const s = await etl(bigger, { lock: { waitMs: 10_000 } });
    expect(s.status).toBe('loaded');
    expect(await dataset()).toMatchObject({ total: 20_000, n: 20_000 });
    expect(await leftovers()).toBe(0);
    const marked = await one("SELECT status, error FROM etl_runs WHERE status = 'failed' ORDER BY id DESC LIMIT 1");
    expect(marked.error).toMatch(/interrupted/);
  });

  it('leaves the dataset untouched when a load is aborted, and cleans up', async () => {
    const before = await dataset();
    const abort = new AbortController();
    let storedRows = 0;
    const onProgress = ({ rows }: { rows: number }) => {
      storedRows = rows;
      abort.abort(new Error('interrupted (test)')); // with the first chunk stored, others in flight
    };
    await expect(
      etl(small, { mode: 'replace', chunkBytes: 64 * 1024, onProgress, signal: abort.signal }),
    ).rejects.toThrow(/interrupted/);
    expect(storedRows).toBeGreaterThan(0);
    expect(storedRows).toBeLessThan(3000);
    expect(await dataset()).toEqual(before);
    expect(await leftovers()).toBe(0);
    const last = await one('SELECT status, error FROM etl_runs ORDER BY id DESC LIMIT 1');
    expect(last).toMatchObject({ status: 'failed', error: 'interrupted (test)' });
  });

  it('retries the transient errors Vitess answers mid-load, and stores every row once', async () => {
    const clean = await etl(bigger, { mode: 'replace' });
    gateway.faults.inject({ code: 'UNAVAILABLE', count: 2, match: /^INSERT INTO health_records/ });
    gateway.faults.inject({ code: 'RESOURCE_EXHAUSTED', count: 1, match: /^INSERT INTO health_records/ });
    gateway.faults.inject({ code: 'ABORTED', count: 1, match: /^INSERT INTO (agg_age_risk|record_pages)/ });
    const s = await etl(bigger, { mode: 'replace' });
    expect(s.status).toBe('loaded');
    expect(s.retries).toBe(4);
    expect(gateway.faults.list()).toEqual([]); // every fault was used up
    expect(await dataset()).toMatchObject({ id: s.dataset?.id, total: 20_000, n: 20_000, valid: clean.rows.valid });
    expect(s.rows).toEqual(clean.rows);
  });

  it('fails at once on an unknown header, before touching the database', async () => {
    const bad = join(dir, 'bad-header.csv');
    writeFileSync(bad, '기준년도,가입자일련번호,키,몸무게\r\n2024,1,170,70\r\n');
    const runs = await one('SELECT COUNT(*) AS n FROM etl_runs');
    await expect(etl(bad)).rejects.toThrow(/Unknown header layout: missing 31 of 33 columns: 시도코드, 성별코드/);
    expect(await one('SELECT COUNT(*) AS n FROM etl_runs')).toEqual(runs);
  });

  it('validates and reports on --dry-run without writing anything', async () => {
    const before = await dataset();
    const runs = await one('SELECT COUNT(*) AS n FROM etl_runs');
    const s = await etl(small, { dryRun: true });
    expect(s.status).toBe('dry-run');
    expect(s.rows.read).toBe(3000);
    expect(s.rows.valid).toBeGreaterThan(800);
    expect(await dataset()).toEqual(before);
    expect(await one('SELECT COUNT(*) AS n FROM etl_runs')).toEqual(runs);
  });

  it('loads an older year (UTF-8 with BOM, legacy header and extra columns) like the 2024 layout', async () => {
    const modern = await etl(small, { mode: 'replace' });
    const old = await etl(legacy);
    expect(old.status).toBe('loaded');
    expect(old.file).toMatchObject({
      encoding: 'utf8',
      encodingHow: 'bom',
      ignoredColumns: ['데이터공개일자', '데이터 기준일자'],
    });
    expect(old.rows).toEqual(modern.rows);
    const [r] = (
      await conn.query<RowDataPacket[]>(
        `SELECT gender_code, sido_code FROM health_records WHERE dataset_id = ${old.dataset?.id} AND id = 1`,
      )
    )[0];
    expect([1, 2]).toContain(r?.gender_code);
    expect(Number(r?.sido_code)).toBeGreaterThan(10);
  });
});
