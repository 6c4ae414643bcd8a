// The real ETL through both targets: the production path (the official PlanetScale driver into
// the strict local gateway, rows as INSERTs) and the MySQL protocol (LOAD DATA). 20,000 generated
// rows (plus a few broken lines) through the worker pool, checked against an independent SQL
// recount of the rules over the stored source columns of the live dataset; then the run
// semantics: rerun is a no-op, --replace is identical, --append doubles, --rollback goes back;
// and both paths store the same rows.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFile } from '../../etl/generate/generator.ts';
import { PageIndexBuilder } from '../../src/data/page-index.ts';
import { rollbackDataset, runEtl, type EtlOptions, type EtlTarget } from '../../etl/run.ts';
import type { MysqlTarget } from '../../local/config.ts';
import { ensureLocalDatabase } from '../../etl/targets/local-database.ts';
import { ensureMariaDb } from '../../etl/targets/local-services.ts';
import { startPlanetScaleGateway, type RunningGateway } from '../../local/planetscale-gateway.ts';

const ROWS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'etl-load-'));
const fileA = join(dir, 'nhis-2024.csv');
const fileB = join(dir, 'nhis-2023.csv');
let mysqlServer: MysqlTarget;

/** The rules of docs/api.md#the-rules-guideline-v1 written again, in SQL, over the stored source columns only. */
const recount = (dataset: number) => `
WITH r AS (
  SELECT h.*,
    CASE
      WHEN raw_line IS NOT NULL THEN 'UNPARSEABLE'
      WHEN age_group_code IS NULL OR age_group_code NOT BETWEEN 5 AND 18 THEN 'BAD_AGE_GROUP'
      WHEN gender_code IS NULL OR gender_code NOT IN (1, 2) THEN 'BAD_GENDER'
      WHEN height IS NULL THEN 'MISSING_HEIGHT' WHEN height NOT BETWEEN 140 AND 200 THEN 'RANGE_HEIGHT'
      WHEN weight IS NULL THEN 'MISSING_WEIGHT' WHEN weight NOT BETWEEN 30 AND 150 THEN 'RANGE_WEIGHT'
      WHEN systolic_bp IS NULL THEN 'MISSING_SBP' WHEN systolic_bp NOT BETWEEN 70 AND 250 THEN 'RANGE_SBP'
      WHEN diastolic_bp IS NULL THEN 'MISSING_DBP' WHEN diastolic_bp NOT BETWEEN 40 AND 150 THEN 'RANGE_DBP'
      WHEN fasting_glucose IS NULL THEN 'MISSING_GLUCOSE' WHEN fasting_glucose NOT BETWEEN 50 AND 400 THEN 'RANGE_GLUCOSE'
      WHEN total_cholesterol IS NULL THEN 'MISSING_TC' WHEN total_cholesterol NOT BETWEEN 100 AND 400 THEN 'RANGE_TC'
      WHEN triglycerides IS NULL THEN 'MISSING_TG' WHEN triglycerides NOT BETWEEN 30 AND 500 THEN 'RANGE_TG'
      WHEN hdl_cholesterol IS NULL THEN 'MISSING_HDL' WHEN hdl_cholesterol NOT BETWEEN 20 AND 100 THEN 'RANGE_HDL'
      WHEN diastolic_bp >= systolic_bp THEN 'DBP_NOT_BELOW_SBP'
      WHEN smoking_status IS NOT NULL AND smoking_status NOT IN (1, 2, 3) THEN 'BAD_SMOKING'
    END AS x_reason,
    ROUND(weight * 10000 / (height * height), 1) AS x_bmi
  FROM health_records h WHERE h.dataset_id = ${dataset}
), f AS (
  SELECT r.*, x_reason IS NULL AS x_valid,
    (systolic_bp >= 140 OR diastolic_bp >= 90) AS x_hyp, fasting_glucose >= 126 AS x_dia,
    total_cholesterol >= 240 AS x_tc, triglycerides >= 200 AS x_tg, hdl_cholesterol < 40 AS x_hdl,
    x_bmi >= 25 AS x_ob, COALESCE(smoking_status = 3, 0) AS x_smk
  FROM r
), g AS (
  SELECT f.*, x_hyp + x_dia + x_tc + x_tg + x_hdl + x_ob + x_smk AS x_count,
    CASE WHEN x_dia THEN 'CHD_RISK_EQUIVALENT' WHEN x_hyp + x_dia + x_tc + x_tg + x_hdl + x_ob + x_smk >= 2
      THEN 'MULTIPLE_RISK_FACTORS' ELSE 'ZERO_TO_ONE_RISK_FACTOR' END AS x_group
  FROM f
)`;

type Query = <T = RowDataPacket>(sql: string) => Promise<T[]>;

async function liveDataset(q: Query): Promise<number> {
  const [p] = await q('SELECT live_dataset AS live FROM dataset_pointer WHERE id = 1');
  return Number(p?.live);
}

async function verifyAgainstRecount(q: Query, expectedRows: number) {
  const live = await liveDataset(q);
  const [row] = await q(`${recount(live)}
    SELECT COUNT(*) AS total, SUM(x_valid) AS valid, MIN(id) AS min_id, MAX(id) AS max_id,
      SUM(invalid_flag <> (1 - x_valid)) AS bad_flag,
      SUM(NOT (invalid_reason <=> x_reason)) AS bad_reason,
      SUM(x_valid AND NOT (bmi <=> x_bmi AND flag_hypertension <=> x_hyp AND flag_diabetes <=> x_dia
        AND flag_high_tc <=> x_tc AND flag_high_tg <=> x_tg AND flag_low_hdl <=> x_hdl AND flag_obesity <=> x_ob
        AND flag_smoking <=> x_smk AND risk_factor_count <=> x_count AND risk_group <=> x_group
        AND rule_version <=> 'guideline-v1')) AS bad_derived,
      SUM(NOT x_valid AND COALESCE(bmi, flag_hypertension, flag_obesity, risk_factor_count, risk_group, rule_version) IS NOT NULL) AS invalid_with_derived,
      SUM((raw_line IS NOT NULL) <> (invalid_reason <=> 'UNPARSEABLE')) AS bad_raw_line
    FROM g`);
  expect(row).toMatchObject({
    total: expectedRows,
    min_id: 1,
    max_id: expectedRows,
    bad_flag: '0',
    bad_reason: '0',
    bad_derived: '0',
    invalid_with_derived: '0',
    bad_raw_line: '0',
  });
  const valid = Number(row?.valid);
  const [summary] = await q(`SELECT total_records, valid_records, invalid_records FROM datasets WHERE id = ${live}`);
  expect(summary).toEqual({ total_records: expectedRows, valid_records: valid, invalid_records: expectedRows - valid });
  const recounted = await q(
    `${recount(live)} SELECT age_group_code AS a, x_group AS g, COUNT(*) AS n, SUM(x_count) AS s FROM g WHERE x_valid GROUP BY a, g`,
  );
  const stored = await q(
    `SELECT age_group_code AS a, risk_group AS g, records AS n, risk_factor_sum AS s FROM agg_age_risk WHERE dataset_id = ${live}`,
  );
  const key = (r: RowDataPacket) => `${r.a}|${r.g}|${Number(r.n)}|${Number(r.s)}`;
  expect(stored.map(key).sort()).toEqual(recounted.map(key).sort());
  expect(stored.length).toBeGreaterThan(30);
  // The /records page index equals one rebuilt from the stored valid rows, in id order.
  const builder = new PageIndexBuilder();
  for (const r of await q(
    `SELECT id, age_group_code AS a, gender_code AS g, risk_group AS r FROM health_records WHERE dataset_id = ${live} AND invalid_flag = 0 ORDER BY id`,
  )) {
    builder.add(r.id, r.a, r.g, r.r);
  }
  const anchors = await q(`SELECT filter_key AS k, anchor AS a, id FROM record_pages WHERE dataset_id = ${live}`);
  expect(anchors.map((r) => `${r.k}|${r.a}|${r.id}`).sort()).toEqual(
    builder.anchors.map(([k, a, id]) => `${k}|${a}|${id}`).sort(),
  );
  const counts = await q(`SELECT filter_key AS k, total AS n FROM record_counts WHERE dataset_id = ${live}`);
  expect(Object.fromEntries(counts.map((r) => [r.k, r.n]))).toEqual(Object.fromEntries(builder.totals));
  // Ids follow source order: line numbers grow with the id within each file.
  const [order] = await q(
    `SELECT COUNT(*) AS n FROM health_records a JOIN health_records b ON b.dataset_id = a.dataset_id AND b.id = a.id + 1 AND b.run_id = a.run_id
     WHERE a.dataset_id = ${live} AND b.source_line <= a.source_line`,
  );
  expect(order?.n).toBe(0);
  return { valid, agg: stored.map(key).sort(), live };
}

beforeAll(async () => {
  mysqlServer = await ensureMariaDb();
  await generateFile(fileA, { rows: ROWS, seed: 'etl-a' });
  // Lines that are not clean rows: a short row and a cell its column cannot hold (both stored
  // as UNPARSEABLE), blank lines (counted apart) and a truncated last line (counted apart).
  const broken =
    '2024,20001,11,1,9,170\r\n\r\n2024,20002,11,1,9,170,70,abc,1.0,1.0,1,1,120,80,90,200,100,50,130,14.0,1,1.0,20,20,20,1,1,0,,,,,\r\n\r\n2024,20003,41,2';
  appendFileSync(fileA, broken);
  await generateFile(fileB, { rows: ROWS, seed: 'etl-b', year: 2023 });
  appendFileSync(fileB, broken.replaceAll('2024,', '2023,'));
}, 120_000);

async function freshDatabase(db: string): Promise<Connection> {
  const admin = await mysql.createConnection(mysqlServer);
  await admin.query(`DROP DATABASE IF EXISTS ${db}`);
  await admin.end();
  await ensureLocalDatabase(mysqlServer, db);
  const conn = await mysql.createConnection({ ...mysqlServer, database: db });
  await conn.query('SET SESSION div_precision_increment = 30'); // exact BMI before rounding
  return conn;
}

/** Every stored column of a dataset's rows but the dataset, run and timestamp, in id order. */
async function rowsDigest(conn: Connection, dataset: number): Promise<string> {
  const cols = (
    await conn.query<RowDataPacket[]>(
      "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = 'health_records' ORDER BY ordinal_position",
    )
  )[0]
    .map((r) => r.c as string)
    .filter((c) => !['dataset_id', 'run_id', 'created_at'].includes(c));
  const [rows] = await conn.query<RowDataPacket[]>(
    `SELECT MD5(GROUP_CONCAT(MD5(CONCAT_WS('|', ${cols.map((c) => `COALESCE(${c}, '<null>')`).join(', ')})) ORDER BY id)) AS d FROM health_records WHERE dataset_id = ${dataset}`,
  );
  return String(rows[0]?.d);
}

const digests: Record<string, string> = {};

describe.each(['planetscale', 'mysql'] as const)('ETL load through %s', (kind) => {
  const db = `nhis_test_etl_${kind}`;
  let conn: Connection;
  let gateway: RunningGateway | null = null;
  let target: EtlTarget;
  const q: Query = async <T>(sql: string) => (await conn.query<RowDataPacket[]>(sql))[0] as T[];
  const etl = (input: string, extra: Partial<EtlOptions> = {}) =>
    runEtl({ input, target, workers: 2, chunkBytes: 256 * 1024, progress: 'none', removalGraceMs: 0, ...extra });

  beforeAll(async () => {
    conn = await freshDatabase(db);
    if (kind === 'planetscale') {
      gateway = await startPlanetScaleGateway({
        mysql: mysqlServer,
        database: db,
        username: 'etl',
        password: 'etl-test-password',
      });
      target = { kind: 'planetscale', url: gateway.url };
    } else {
      target = { kind: 'mysql', mysql: mysqlServer, database: db };
    }
  }, 60_000);

  afterAll(async () => {
    await conn?.end();
    await gateway?.close();
  });

  let first: Awaited<ReturnType<typeof verifyAgainstRecount>>;

  it('stores every row, and counts and aggregates equal an SQL recount of the source columns', async () => {
    const s = await etl(fileA);
    expect(s.status).toBe('loaded');
    expect(s.chunks).toBeGreaterThan(4);
    expect(s.rows).toMatchObject({ read: ROWS + 2, blankLines: 2, truncatedLines: 1 });
    expect(s.rows.invalidByReason.UNPARSEABLE).toBe(2);
    first = await verifyAgainstRecount(q, ROWS + 2);
    expect(first.live).toBe(s.dataset?.id);
    expect(first.valid).toBe(s.rows.valid);
    expect(first.valid / ROWS).toBeGreaterThan(0.3);
    expect(first.valid / ROWS).toBeLessThan(0.4);
    const [order] = await q(
      `SELECT COUNT(*) AS n FROM health_records WHERE dataset_id = ${first.live} AND subscriber_id <> id`,
    );
    expect(order?.n).toBe(0); // the generator numbers subscribers in file order, as ids are
    const [run] = await q(
      `SELECT status, dataset_id, rows_read, valid_rows, JSON_VALUE(summary, '$.rows.read') AS r FROM etl_runs WHERE id = ${s.runId}`,
    );
    expect(run).toEqual({
      status: 'succeeded',
      dataset_id: first.live,
      rows_read: ROWS + 2,
      valid_rows: s.rows.valid,
      r: String(ROWS + 2),
    });
    const [files] = await q(`SELECT COUNT(*) AS n FROM dataset_files WHERE dataset_id = ${first.live}`);
    expect(files?.n).toBe(1);
    // Every row's timestamp is the run's start, written in the row.
    const [stamps] = await q(
      `SELECT COUNT(DISTINCT created_at) AS n FROM health_records WHERE dataset_id = ${first.live}`,
    );
    expect(stamps?.n).toBe(1);
    digests[kind] = await rowsDigest(conn, first.live);
  });

  it('changes nothing when the same file is loaded again', async () => {
    const before = await q('SELECT MAX(created_at) AS c, COUNT(*) AS n, MIN(run_id) AS r FROM health_records');
    const s = await etl(fileA);
    expect(s.status).toBe('unchanged');
    expect(s.message).toMatch(/already the live dataset/);
    expect(await q('SELECT MAX(created_at) AS c, COUNT(*) AS n, MIN(run_id) AS r FROM health_records')).toEqual(before);
    const [run] = await q(`SELECT status FROM etl_runs WHERE id = ${s.runId}`);
    expect(run?.status).toBe('skipped');
  });

  it('reloads with --replace as a new dataset with identical counts and aggregates, keeping the old one for --rollback', async () => {
    const s = await etl(fileA, { mode: 'replace', workers: 3, chunkBytes: 100 * 1024 });
    expect(s.status).toBe('loaded');
    const again = await verifyAgainstRecount(q, ROWS + 2);
    expect(again.live).not.toBe(first.live);
    expect({ ...again, live: 0 }).toEqual({ ...first, live: 0 });
    const [runs] = await q(
      `SELECT COUNT(DISTINCT run_id) AS n, MIN(run_id) AS r FROM health_records WHERE dataset_id = ${again.live}`,
    );
    expect(runs).toEqual({ n: 1, r: s.runId });
    const [pointer] = await q('SELECT live_dataset AS live, previous_dataset AS prev FROM dataset_pointer');
    expect(pointer).toEqual({ live: again.live, prev: first.live });
  });

  it('appends another year with --append as a new dataset, refuses a file already loaded, and rolls back', async () => {
    const before = await liveDataset(q);
    const s = await etl(fileB, { mode: 'append' });
    expect(s.status).toBe('loaded');
    expect(s.dataset).toMatchObject({ total: 2 * (ROWS + 2), files: 2 }); // another year with as many rows: doubled
    const both = await verifyAgainstRecount(q, 2 * (ROWS + 2));
    expect(both.valid).toBe(first.valid + s.rows.valid);
    const [order] = await q(
      `SELECT COUNT(*) AS n FROM health_records WHERE dataset_id = ${both.live} AND run_id = ${s.runId} AND subscriber_id <> id - ${ROWS + 2}`,
    );
    expect(order?.n).toBe(0);
    const refused = await etl(fileA, { mode: 'append' });
    expect(refused.status).toBe('refused');
    // Only the live dataset and the one before it remain.
    expect(
      await q('SELECT dataset_id AS d, COUNT(*) AS n FROM health_records GROUP BY dataset_id ORDER BY dataset_id'),
    ).toEqual([
      { d: before, n: ROWS + 2 },
      { d: both.live, n: 2 * (ROWS + 2) },
    ]);
    const back = await rollbackDataset({ target });
    expect(back).toMatchObject({ status: 'rolled-back', live: before, previous: both.live });
    expect((await verifyAgainstRecount(q, ROWS + 2)).live).toBe(before);
    const forth = await rollbackDataset({ target });
    expect(forth).toMatchObject({ status: 'rolled-back', live: both.live, previous: before });
  });
});

describe('the two write paths', () => {
  it('store the same rows from the same file', () => {
    expect(digests.planetscale).toMatch(/^[0-9a-f]{32}$/);
    expect(digests.planetscale).toBe(digests.mysql);
  });
});
