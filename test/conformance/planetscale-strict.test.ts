// Conformance: the PlanetScale gateway refuses what PlanetScale refuses, answered as Vitess answers (HTTP 200,
// `{"error":{"code","message"}}`), driven by the unmodified @planetscale/database driver. One test per rule.
import { DatabaseError, connect } from '@planetscale/database';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlTarget } from '../../local/config.ts';
import { startPlanetScaleGateway } from '../../local/planetscale-gateway.ts';
import type { PlanetScaleGatewayOptions, RunningGateway } from '../../local/planetscale-gateway.ts';

const DB = 'nhis_conformance_strict';
const USER = 'strict';
const PASSWORD = 'strict-pass';
const COMPAT = 'https://planetscale.com/docs/reference/mysql-compatibility';

/** The local production branch: safe migrations on (the default). */
let production: RunningGateway;
/** A development branch: DDL allowed. */
let development: RunningGateway;
let admin: mysql.Connection;

const start = (extra: Partial<PlanetScaleGatewayOptions> = {}) =>
  startPlanetScaleGateway({ mysql: mysqlTarget(), database: DB, username: USER, password: PASSWORD, ...extra });

beforeAll(async () => {
  admin = await mysql.createConnection({ ...mysqlTarget() });
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB} CHARACTER SET utf8mb4`);
  await admin.query(`USE ${DB}`);
  for (const t of ['st_rows', 'st_parent', 'st_new', 'st_renamed', 'st_fk'])
    await admin.query(`DROP TABLE IF EXISTS ${t}`);
  await admin.query('DROP VIEW IF EXISTS st_view');
  await admin.query('CREATE TABLE st_rows (id INT PRIMARY KEY, v VARCHAR(64)) ENGINE=InnoDB');
  await admin.query('CREATE TABLE st_parent (id INT PRIMARY KEY) ENGINE=InnoDB');
  [production, development] = await Promise.all([start(), start({ safeMigrations: false })]);
});

afterAll(async () => {
  await Promise.all([production?.close(), development?.close()]);
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.end();
});

/** The driver's error for a statement the gateway must refuse, with the Vitess code and message. */
async function refused(target: RunningGateway, sql: string): Promise<DatabaseError['body'] & { message: string }> {
  const err: unknown = await connect({ url: target.url })
    .execute(sql)
    .then(
      () => new Error(`expected a refusal: ${sql}`),
      (e: unknown) => e,
    );
  expect(err, sql).toBeInstanceOf(DatabaseError);
  expect((err as DatabaseError).status).toBe(400); // database-js: a 200 reply with `error` is a 400 DatabaseError
  return (err as DatabaseError).body;
}

const ok = (target: RunningGateway, sql: string) => connect({ url: target.url }).execute(sql);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

describe('statements PlanetScale accepts', () => {
  it('still runs SELECT, multi-row INSERT, UPDATE, DELETE, transactions and session SETs', async () => {
    const conn = connect({ url: production.url });
    expect((await conn.execute('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect((await conn.execute("INSERT INTO st_rows VALUES (1, 'a'), (2, 'b'), (3, 'c')")).rowsAffected).toBe(3);
    expect((await conn.execute("UPDATE st_rows SET v = 'B' WHERE id = 2")).rowsAffected).toBe(1);
    expect((await conn.execute('DELETE FROM st_rows WHERE id = 3')).rowsAffected).toBe(1);
    await connect({ url: production.url }).transaction(async (tx) => {
      await tx.execute("INSERT INTO st_rows VALUES (4, 'tx')");
    });
    for (const sql of [
      'SET @x = 41',
      'SET NAMES utf8mb4',
      'SET autocommit = 1',
      "SET time_zone = '+00:00'",
      "SET sql_mode = 'STRICT_TRANS_TABLES'",
      'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
      "SET @@session.time_zone = '+00:00', @y := 1",
      "SET workload = 'olap'",
    ]) {
      await expect(conn.execute(sql), sql).resolves.toBeDefined();
    }
    expect((await conn.execute('SELECT @x + 1 AS x, COUNT(*) AS n FROM st_rows')).rows).toEqual([{ x: '42', n: '3' }]);
  });

  it("passes text that only looks refused inside strings and comments ('LOAD DATA', 'get_lock(')", async () => {
    const sql = "INSERT INTO st_rows VALUES (10, 'LOAD DATA INFILE x'), (11, 'get_lock(''a'', 1)') /* LOCK TABLES */";
    expect((await ok(production, sql)).rowsAffected).toBe(2);
    const read = await ok(production, "SELECT 'CREATE DATABASE x' AS s -- SET GLOBAL x = 1");
    expect(read.rows).toEqual([{ s: 'CREATE DATABASE x' }]);
  });
});

describe('statements PlanetScale refuses', () => {
  // COMPAT: "LOAD DATA INFILE ❌ Loading data via LOAD DATA INFILE is not supported."
  it(`refuses LOAD DATA in any form (${COMPAT} "Loading data via LOAD DATA INFILE is not supported")`, async () => {
    for (const sql of [
      "LOAD DATA INFILE '/tmp/x.csv' INTO TABLE st_rows",
      "/* import */ load data local infile 'x.csv' into table st_rows",
      "/*!40101 LOAD DATA */ INFILE 'x' INTO TABLE st_rows",
      "LOAD XML LOCAL INFILE 'x.xml' INTO TABLE st_rows",
    ]) {
      const body = await refused(development, sql);
      expect(body).toEqual({
        code: 'UNIMPLEMENTED',
        message: 'Loading data via LOAD DATA INFILE is not supported (errno 1235) (sqlstate 42000)',
      });
    }
  });

  // COMPAT: "CREATE DATABASE ❌ You cannot CREATE a PlanetScale database from the MySQL command line" (same for DROP).
  it('refuses CREATE/DROP DATABASE and SCHEMA as Vitess failDBDDL does', async () => {
    const create = await refused(development, 'CREATE DATABASE st_other');
    expect(create).toEqual({
      code: 'UNIMPLEMENTED',
      message: 'VT12001: unsupported: create database by failDBDDL (errno 1235) (sqlstate 42000)',
    });
    expect((await refused(development, 'create schema if not exists st_other')).code).toBe('UNIMPLEMENTED');
    const drop = await refused(development, `DROP SCHEMA ${DB}`);
    expect(drop.message).toContain('VT12001: unsupported: drop database by failDBDDL');
    const [rows] = await admin.query<mysql.RowDataPacket[]>(`SHOW DATABASES LIKE '${DB}'`);
    expect(rows).toHaveLength(1);
  });

  // COMPAT: "SET GLOBAL time_zone ❌ The global time zone is set to UTC and can not be modified."
  it('refuses SET GLOBAL and SET @@global.x (vtgate set.go: "unsupported: system setting")', async () => {
    for (const sql of [
      'SET GLOBAL max_connections = 10',
      "SET @@global.time_zone = '+01:00'",
      'SET PERSIST sql_mode = ""',
    ]) {
      const body = await refused(development, sql);
      expect(body.code).toBe('UNIMPLEMENTED');
      expect(body.message).toMatch(/^VT12001: unsupported: system setting: \w+ \(errno 1235\) \(sqlstate 42000\)$/);
    }
  });

  // Vitess go/vt/sysvars/sysvars.go lists every variable vtgate plans; others fail with VT05006 (set.go).
  it('refuses session variables Vitess does not know, or knows as read-only or unsupported', async () => {
    expect(await refused(development, 'SET max_statement_time = 1')).toEqual({
      code: 'NOT_FOUND',
      message: "VT05006: unknown system variable '@@max_statement_time = 1' (errno 1193) (sqlstate HY000)",
    });
    expect((await refused(development, 'SET version = 1')).message).toContain(
      "VT03010: variable 'version' is a read only variable",
    );
    expect((await refused(development, 'SET auto_increment_increment = 2')).code).toBe('UNIMPLEMENTED');
    expect((await refused(development, 'SET NAMES latin1')).message).toContain('charset/name latin1 is not supported');
  });

  // COMPAT: "PROCEDURE / FUNCTION / TRIGGER / EVENT ❌ We do not support any form of stored routines."
  it('refuses stored routines, triggers, events and CALL ("We do not support any form of stored routines")', async () => {
    for (const sql of [
      'CREATE PROCEDURE st_p() SELECT 1',
      'CREATE DEFINER = `root`@`%` FUNCTION st_f() RETURNS INT DETERMINISTIC RETURN 1',
      'CREATE TRIGGER st_t BEFORE INSERT ON st_rows FOR EACH ROW SET NEW.v = UPPER(NEW.v)',
      'CREATE EVENT st_e ON SCHEDULE EVERY 1 DAY DO DELETE FROM st_rows',
      'DROP PROCEDURE IF EXISTS st_p',
      'CALL st_p()',
    ]) {
      const body = await refused(development, sql);
      expect(body.code, sql).toBe('UNIMPLEMENTED');
      expect(body.message).toMatch(/^VT12001: unsupported: .*stored routines \(errno 1235\) \(sqlstate 42000\)$/);
    }
  });

  // COMPAT: "CONSTRAINT...FOREIGN KEY ✖️ The usage of foreign key constraints or FOREIGN KEY syntax is not supported".
  it('refuses FOREIGN KEY and REFERENCES in CREATE/ALTER TABLE, even on a development branch (VT10001)', async () => {
    const want = {
      code: 'ABORTED',
      message: 'VT10001: foreign key constraints are not allowed (errno 1317) (sqlstate 70100)',
    };
    expect(
      await refused(
        development,
        'CREATE TABLE st_fk (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES st_parent (id))',
      ),
    ).toEqual(want);
    expect(
      await refused(development, 'CREATE TABLE st_fk (id INT PRIMARY KEY, p INT REFERENCES st_parent (id))'),
    ).toEqual(want);
    expect(
      await refused(
        development,
        'ALTER TABLE st_rows ADD CONSTRAINT st_fk1 FOREIGN KEY (id) REFERENCES st_parent (id)',
      ),
    ).toEqual(want);
    // A comment or a default value that mentions a foreign key defines none.
    await ok(
      development,
      "CREATE TABLE st_fk (id INT PRIMARY KEY, note VARCHAR(40) DEFAULT 'FOREIGN KEY REFERENCES') /* FOREIGN KEY */",
    );
    await admin.query('DROP TABLE st_fk');
  });

  // Vitess serves named locks only on a reserved connection (vitessio/vitess#6367); the HTTP API keeps none.
  it('refuses GET_LOCK, RELEASE_LOCK and IS_FREE_LOCK anywhere in a statement', async () => {
    for (const sql of [
      "SELECT GET_LOCK('st', 1)",
      "DO release_lock /* x */ ('st')",
      "SELECT id FROM st_rows WHERE IS_FREE_LOCK('st')",
    ]) {
      const body = await refused(production, sql);
      expect(body.code, sql).toBe('UNIMPLEMENTED');
      expect(body.message).toMatch(/^VT12001: unsupported: (get|release|is_free)_lock\(\) is disallowed/);
    }
  });

  // vtgate does not forward LOCK TABLES to MySQL (vitessio/vitess#7139).
  it('refuses LOCK TABLES and UNLOCK TABLES', async () => {
    expect(await refused(production, 'LOCK TABLES st_rows WRITE')).toEqual({
      code: 'UNIMPLEMENTED',
      message: 'VT12001: unsupported: LOCK TABLES (errno 1235) (sqlstate 42000)',
    });
    expect((await refused(production, 'unlock tables')).message).toContain('UNLOCK TABLES');
  });

  it('answers a refusal as HTTP 200 with the session and the Vitess error, like any SQL error', async () => {
    const res = await fetch(`http://127.0.0.1:${production.port}/psdb.v1alpha1.Database/Execute`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${btoa(`${USER}:${PASSWORD}`)}` },
      body: JSON.stringify({ query: 'CALL st_p()', session: null }),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.session.vitessSession.SessionUUID).toEqual(expect.any(String));
    expect(body.error.code).toBe('UNIMPLEMENTED');
    expect(body).not.toHaveProperty('result');
  });
});

describe('safe migrations', () => {
  // https://planetscale.com/docs/concepts/safe-migrations: "Data Definition Language (DDL) statements issued to
  // production branches with safe migrations enabled will automatically be rejected"; the MySQL-protocol text is
  // "ERROR 1105 (HY000): direct DDL is disabled" (PlanetScale's Prisma guide), mysql-compatibility: "This includes
  // TRUNCATE statements".
  it('refuses every DDL on the production branch with "direct DDL is disabled" and changes nothing', async () => {
    for (const sql of [
      'CREATE TABLE st_new (id INT PRIMARY KEY)',
      'ALTER TABLE st_rows ADD COLUMN extra INT',
      'DROP TABLE st_rows',
      'RENAME TABLE st_rows TO st_renamed',
      'TRUNCATE TABLE st_rows',
      'CREATE INDEX st_v ON st_rows (v)',
      'CREATE VIEW st_view AS SELECT id FROM st_rows',
    ]) {
      expect(await refused(production, sql), sql).toEqual({
        code: 'UNKNOWN',
        message: 'direct DDL is disabled (errno 1105) (sqlstate HY000)',
      });
    }
    const [tables] = await admin.query<mysql.RowDataPacket[]>(`SHOW TABLES FROM ${DB}`);
    expect(tables.map((r) => Object.values(r)[0]).sort()).toEqual(['st_parent', 'st_rows']);
    const [columns] = await admin.query<mysql.RowDataPacket[]>('SHOW COLUMNS FROM st_rows');
    expect(columns).toHaveLength(2);
  });

  it('applies DDL on a development branch, and temporary tables on both', async () => {
    await ok(development, 'CREATE TABLE st_new (id INT PRIMARY KEY)');
    await ok(development, 'ALTER TABLE st_new ADD COLUMN v INT');
    await ok(development, 'DROP TABLE st_new');
    const conn = connect({ url: production.url });
    await conn.execute('CREATE TEMPORARY TABLE st_tmp (id INT)');
    await conn.execute('INSERT INTO st_tmp VALUES (1)');
    expect((await conn.execute('SELECT COUNT(*) AS n FROM st_tmp')).rows).toEqual([{ n: '1' }]);
    expect([production.branch, production.safeMigrations, development.branch]).toEqual(['main', true, 'development']);
    const session = await fetch(`http://127.0.0.1:${development.port}/psdb.v1alpha1.Database/CreateSession`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${btoa(`${USER}:${PASSWORD}`)}` },
      body: '{}',
    });
    expect((await json(session)).branch).toBe('development');
  });
});
