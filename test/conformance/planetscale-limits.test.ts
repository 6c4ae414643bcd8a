// Conformance: PlanetScale's system limits in the gateway, each with a small configured value, through the
// official driver; a statement over a limit fails as Vitess fails it and leaves no trace in the data.
// Limits: https://planetscale.com/docs/reference/planetscale-system-limits ("Per-query rows returned, updated,
// or deleted 100k", "Per-query result set total size 64 MiB", "Per-query DML timeout 30s", "Per-transaction
// timeout 20s"); error texts: https://planetscale.com/docs/vitess/troubleshooting/errors.
import { Client, DatabaseError, connect } from '@planetscale/database';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mysqlTarget } from '../../local/config.ts';
import { startPlanetScaleGateway } from '../../local/planetscale-gateway.ts';
import type { RunningGateway } from '../../local/planetscale-gateway.ts';

const DB = 'nhis_conformance_limits';
const USER = 'limits';
const PASSWORD = 'limits-pass';

/** maxDmlRows 5, dmlTimeoutMs 500, transactionTimeoutMs 500, maxResultBytes 1000. */
let small: RunningGateway;
/** PlanetScale's defaults. */
let defaults: RunningGateway;
let admin: mysql.Connection;

beforeAll(async () => {
  admin = await mysql.createConnection({ ...mysqlTarget() });
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB} CHARACTER SET utf8mb4`);
  await admin.query(`USE ${DB}`);
  await admin.query('DROP TABLE IF EXISTS lim_rows');
  await admin.query('CREATE TABLE lim_rows (id INT PRIMARY KEY, v INT NOT NULL DEFAULT 0) ENGINE=InnoDB');
  const base = { mysql: mysqlTarget(), database: DB, username: USER, password: PASSWORD };
  [small, defaults] = await Promise.all([
    startPlanetScaleGateway({
      ...base,
      maxDmlRows: 5,
      dmlTimeoutMs: 500,
      transactionTimeoutMs: 500,
      maxResultBytes: 1000,
    }),
    startPlanetScaleGateway(base),
  ]);
});

afterAll(async () => {
  await Promise.all([small?.close(), defaults?.close()]);
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.end();
});

beforeEach(async () => {
  await admin.query('DELETE FROM lim_rows');
  await admin.query('INSERT INTO lim_rows (id) SELECT seq FROM seq_1_to_8');
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tuples = (from: number, count: number) => Array.from({ length: count }, (_, i) => `(${from + i}, 0)`).join(', ');

async function failure(promise: Promise<unknown>): Promise<DatabaseError> {
  const err: unknown = await promise.then(
    () => new Error('expected the statement to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatabaseError);
  return err as DatabaseError;
}

async function table(): Promise<Array<{ id: number; v: number }>> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT id, v FROM lim_rows ORDER BY id');
  return rows as Array<{ id: number; v: number }>;
}

describe('rows changed per DML statement', () => {
  // errors page: "vttablet: rpc error: code = Aborted desc = Row count exceeded 100000" — "the 100k limit for
  // number of rows returned, updated, or deleted in a single query".
  it('refuses an INSERT, UPDATE or DELETE over maxDmlRows with ABORTED "Row count exceeded", changing nothing', async () => {
    const db = connect({ url: small.url });
    const before = await table();
    for (const sql of [
      `INSERT INTO lim_rows VALUES ${tuples(100, 6)}`,
      'UPDATE lim_rows SET v = 1 WHERE id <= 6',
      'DELETE FROM lim_rows WHERE id > 2',
    ]) {
      const err = await failure(db.execute(sql));
      expect(err.body).toEqual({ code: 'ABORTED', message: 'Row count exceeded 5 (errno 10001) (sqlstate HY000)' });
    }
    expect(await table()).toEqual(before);
    expect((await db.execute(`INSERT INTO lim_rows VALUES ${tuples(100, 5)}`)).rowsAffected).toBe(5);
    expect((await db.execute('UPDATE lim_rows SET v = 2 WHERE id >= 100')).rowsAffected).toBe(5);
  });

  it('rolls back the whole transaction over the limit, as Vitess does, and fails its later statements', async () => {
    const err = await failure(
      new Client({ url: small.url }).transaction(async (tx) => {
        await tx.execute('INSERT INTO lim_rows VALUES (50, 0)');
        await failure(tx.execute('UPDATE lim_rows SET v = 9')); // 9 rows
        await tx.execute('SELECT 1');
      }),
    );
    expect(err.body.code).toBe('ABORTED');
    expect(err.message).toMatch(/^transaction \d+: rolled back: Row count exceeded 5/);
    expect((await table()).some((r) => r.id === 50 || r.v === 9)).toBe(false);
  });

  it('counts every row of a multi-row INSERT: 100 000 pass by default, 100 001 are refused', async () => {
    const db = connect({ url: defaults.url });
    const values = (n: number) => Array.from({ length: n }, (_, i) => `(${1000 + i})`).join(',');
    expect((await db.execute(`INSERT INTO lim_rows (id) VALUES ${values(100_000)}`)).rowsAffected).toBe(100_000);
    await admin.query('DELETE FROM lim_rows WHERE id >= 1000');
    const err = await failure(db.execute(`INSERT INTO lim_rows (id) VALUES ${values(100_001)}`));
    expect(err.message).toContain('Row count exceeded 100000');
    expect(await table()).toHaveLength(8);
  });
});

describe('time limits', () => {
  // planetscale-system-limits: "Per-query DML timeout 30s"; errors page: "vttablet: (errno 2013) due to context
  // deadline exceeded, elapsed time: ...".
  it('aborts a DML statement running longer than dmlTimeoutMs with DEADLINE_EXCEEDED, changing nothing', async () => {
    // SLEEP(1) would finish the UPDATE without error: the failure itself shows the statement was cut at 500 ms.
    const err = await failure(connect({ url: small.url }).execute('UPDATE lim_rows SET v = SLEEP(1) + 7 WHERE id = 1'));
    expect(err.body.code).toBe('DEADLINE_EXCEEDED');
    expect(err.message).toMatch(
      /^\(errno 2013\) due to context deadline exceeded, elapsed time: [\d.]+s, killing query ID \d+/,
    );
    expect(err.message).toMatch(/\(errno 1317\) \(sqlstate 70100\)$/);
    expect((await table())[0]).toEqual({ id: 1, v: 0 });
    // "Per-query SELECT timeout 900s": a SELECT is not held to the DML limit.
    expect((await connect({ url: small.url }).execute('SELECT SLEEP(0.6) AS s')).rows).toEqual([{ s: 0 }]);
  });

  // errors page: "code = Aborted desc = transaction ... (exceeded timeout: 20s)" — "Max transaction time exceeded".
  it('rolls back a transaction open longer than transactionTimeoutMs; its next statement gets ABORTED', async () => {
    const conn = connect({ url: small.url });
    await conn.execute('BEGIN');
    await conn.execute('INSERT INTO lim_rows VALUES (60, 0)');
    await sleep(800);
    const err = await failure(conn.execute('INSERT INTO lim_rows VALUES (61, 0)'));
    expect(err.body.code).toBe('ABORTED');
    expect(err.message).toMatch(
      /^transaction \d+: ended at .* UTC \(exceeded timeout: 500ms\) \(errno 1105\) \(sqlstate HY000\)$/,
    );
    await expect(conn.execute('ROLLBACK')).resolves.toBeDefined();
    expect((await table()).map((r) => r.id)).not.toContain(60);
    // The row lock went with it, and a short transaction still commits.
    await new Client({ url: small.url }).transaction(async (tx) => tx.execute('INSERT INTO lim_rows VALUES (60, 1)'));
    expect((await table()).find((r) => r.id === 60)).toEqual({ id: 60, v: 1 });
  });
});

describe('result size', () => {
  // planetscale-system-limits: "Per-query result set total size 64 MiB" (vttablet's gRPC message cap).
  it('refuses a result over maxResultBytes with RESOURCE_EXHAUSTED and keeps the session usable', async () => {
    const conn = connect({ url: small.url });
    const err = await failure(conn.execute("SELECT REPEAT('x', 600) AS a FROM seq_1_to_2"));
    expect(err.body.code).toBe('RESOURCE_EXHAUSTED');
    expect(err.message).toMatch(
      /^grpc: trying to send message larger than max \(\d+ vs\. 1000\) \(errno 1153\) \(sqlstate 08S01\)$/,
    );
    expect((await conn.execute("SELECT REPEAT('x', 600) AS a")).rows).toEqual([{ a: 'x'.repeat(600) }]);
  });
});
