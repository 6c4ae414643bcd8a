// Conformance: the unmodified @planetscale/database driver against our PlanetScale HTTP API gateway and the
// real local MariaDB (docs/protocols.md#conformance-tests), plus raw requests that pin the wire format it hides.
import { Client, DatabaseError, UnknownError, cast, connect } from '@planetscale/database';
import type { Field } from '@planetscale/database';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlTarget } from '../../local/config.ts';
import { startPlanetScaleGateway } from '../../local/planetscale-gateway.ts';
import type { PlanetScaleGatewayOptions, RunningGateway } from '../../local/planetscale-gateway.ts';

const DB = 'nhis_conformance_ps';
// The password needs URL encoding: the driver sends it still percent-encoded (new URL keeps userinfo encoded).
const USER = 'conformance';
const PASSWORD = 'p@ss:wörd';
// Children before parents, so dropping in this order never trips a foreign key.
const TABLES = ['ps_child', 'ps_parent', 'ps_ints', 'ps_decimals', 'ps_times', 'ps_text', 'ps_bin', 'ps_json'].concat([
  'ps_dml',
  'ps_tx',
]);
const LIMIT_ROWS = 50;
const IDLE_MS = 300;

/** Defaults: the gateway as `npm start` runs it. */
let gateway: RunningGateway;
/** Small row cap and idle timeout, to reach those limits quickly. */
let limited: RunningGateway;
/** ps-http-sim's behaviour: a busy session rejects a second request. */
let strict: RunningGateway;
/** mysql2 straight to MariaDB: schema, and checks that bypass the gateway. */
let admin: mysql.Connection;

function start(extra: Partial<PlanetScaleGatewayOptions> = {}): Promise<RunningGateway> {
  return startPlanetScaleGateway({ mysql: mysqlTarget(), database: DB, username: USER, password: PASSWORD, ...extra });
}

beforeAll(async () => {
  admin = await mysql.createConnection({ ...mysqlTarget() });
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB} CHARACTER SET utf8mb4`);
  await admin.query(`USE ${DB}`);
  for (const table of TABLES) await admin.query(`DROP TABLE IF EXISTS ${table}`);
  const ddl = [
    `CREATE TABLE ps_ints (id INT PRIMARY KEY, ti TINYINT, si SMALLINT, mi MEDIUMINT, i INT, tu TINYINT UNSIGNED,
       bo BOOLEAN, bi BIGINT, bu BIGINT UNSIGNED)`,
    `CREATE TABLE ps_decimals (id INT PRIMARY KEY, d DECIMAL(10,2), big DECIMAL(65,30), f FLOAT, db DOUBLE)`,
    `CREATE TABLE ps_times (id INT PRIMARY KEY, d DATE, dt DATETIME, dt6 DATETIME(6), t TIME, y YEAR,
       ts TIMESTAMP NULL, dt3 DATETIME(3))`,
    `CREATE TABLE ps_text (id INT PRIMARY KEY, v VARCHAR(64), t TEXT, short VARCHAR(3))`,
    `CREATE TABLE ps_bin (id INT PRIMARY KEY, vb VARBINARY(300), bl BLOB, b4 BINARY(4),
       cbin CHAR(4) CHARACTER SET binary, cutf CHAR(4) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
       bt BIT(3), g GEOMETRY NULL)`,
    `CREATE TABLE ps_json (id INT PRIMARY KEY, j JSON, e ENUM('small','large'), s SET('a','b','c'))`,
    `CREATE TABLE ps_dml (id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, v VARCHAR(16))`,
    `CREATE TABLE ps_tx (id INT PRIMARY KEY, v VARCHAR(16)) ENGINE=InnoDB`,
    `CREATE TABLE ps_parent (id INT PRIMARY KEY) ENGINE=InnoDB`,
    `CREATE TABLE ps_child (id INT PRIMARY KEY, parent_id INT,
       FOREIGN KEY (parent_id) REFERENCES ps_parent (id)) ENGINE=InnoDB`,
  ];
  for (const sql of ddl) await admin.query(sql);
  [gateway, limited, strict] = await Promise.all([
    start(),
    start({ maxRows: LIMIT_ROWS, sessionIdleMs: IDLE_MS }),
    start({ strictSessions: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([gateway?.close(), limited?.close(), strict?.close()]);
  if (admin) {
    for (const table of TABLES) await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  }
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The driver's error for a call that must fail: always DatabaseError, never the "not JSON" UnknownError. */
async function failure(promise: Promise<unknown>): Promise<DatabaseError> {
  const err: unknown = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatabaseError);
  expect(err).not.toBeInstanceOf(UnknownError);
  return err as DatabaseError;
}

interface RawReply {
  status: number;
  contentType: string | null;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A hand-made request, to pin the wire format the driver hides. */
async function raw(
  target: RunningGateway,
  method: string,
  body: unknown,
  opts: { auth?: string | null; httpMethod?: string; rawBody?: string } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const auth = opts.auth === undefined ? `Basic ${btoa(`${USER}:${encodeURIComponent(PASSWORD)}`)}` : opts.auth;
  if (auth !== null) headers.Authorization = auth;
  const httpMethod = opts.httpMethod ?? 'POST';
  const res = await fetch(`http://127.0.0.1:${target.port}${method}`, {
    method: httpMethod,
    headers,
    body: httpMethod === 'GET' ? undefined : (opts.rawBody ?? JSON.stringify(body)),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), json: JSON.parse(text) };
}

const EXECUTE = '/psdb.v1alpha1.Database/Execute';

describe('connection and auth', () => {
  it('serves the driver on 127.0.0.1 with the credentials in the URL', async () => {
    expect(gateway.url).toBe(`http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${gateway.port}`);
    const result = await connect({ url: gateway.url }).execute('SELECT 1 AS one, DATABASE() AS db');
    expect(result.rows).toEqual([{ one: 1, db: DB }]);
  });

  it('rejects a wrong password with 401 unauthenticated as DatabaseError', async () => {
    const url = `http://${USER}:wrong@127.0.0.1:${gateway.port}`;
    const err = await failure(connect({ url }).execute('SELECT 1'));
    expect(err.status).toBe(401);
    expect(err.body).toEqual({ code: 'unauthenticated', message: 'invalid auth credentials' });
  });

  it('rejects an empty password or username, and a missing Authorization header', async () => {
    const noPassword = await failure(connect({ url: `http://${USER}:@127.0.0.1:${gateway.port}` }).execute('SELECT 1'));
    expect(noPassword.status).toBe(401);
    expect(noPassword.body.code).toBe('unauthenticated');
    for (const auth of [`Basic ${btoa(`${USER}:`)}`, `Basic ${btoa(`:${PASSWORD}`)}`, null, 'Bearer x']) {
      const reply = await raw(gateway, EXECUTE, { query: 'SELECT 1', session: null }, { auth });
      expect(reply.status).toBe(401);
      expect(reply.json.error.code).toBe('unauthenticated');
    }
  });

  it('answers unknown paths, wrong methods and bad bodies with JSON errors', async () => {
    const unknown = await raw(gateway, '/psdb.v1alpha1.Database/Nope', {});
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toBe('application/json');
    expect(unknown.json.error.code).toBe('not_found');
    const root = await raw(gateway, '/', undefined, { httpMethod: 'GET' });
    expect(root.status).toBe(404);
    expect(root.json.error).toEqual({ code: 'not_found', message: 'no such endpoint: GET /' });
    const get = await raw(gateway, EXECUTE, undefined, { httpMethod: 'GET' });
    expect(get.status).toBe(405);
    expect(get.json.error).toEqual({ code: 'unimplemented', message: 'GET is not supported; use POST' });
    const bad = await raw(gateway, EXECUTE, undefined, { rawBody: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_argument');
  });
});

describe('values', () => {
  it('tells NULL from the empty string, on the wire too', async () => {
    const result = await connect({ url: gateway.url }).execute("SELECT NULL AS n, '' AS e");
    expect(result.rows).toEqual([{ n: null, e: '' }]);
    expect(result.types).toEqual({ n: 'NULL', e: 'VARCHAR' });
    const reply = await raw(gateway, EXECUTE, { query: "SELECT NULL AS n, '' AS e", session: null });
    expect(reply.status).toBe(200);
    expect(reply.json.result.rows).toEqual([{ lengths: ['-1', '0'] }]);
    expect(reply.json.result.fields[0]).not.toHaveProperty('type');
    expect(reply.json.result).not.toHaveProperty('rowsAffected');
    expect(Object.keys(reply.json)).toEqual(['session', 'result', 'timing']);
  });

  it('returns small integers as numbers and 64-bit ones as exact strings', async () => {
    const db = connect({ url: gateway.url });
    await db.execute('INSERT INTO ps_ints VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      1,
      -128,
      -32768,
      -8388608,
      -2147483648,
      255,
      true,
      '9223372036854775807',
      '18446744073709551615',
    ]);
    await db.execute('INSERT INTO ps_ints (id) VALUES (2), (3)');
    const result = await db.execute('SELECT ti, si, mi, i, tu, bo, bi, bu FROM ps_ints WHERE id = 1');
    expect(result.rows).toEqual([
      {
        ...{ ti: -128, si: -32768, mi: -8388608, i: -2147483648, tu: 255, bo: 1 },
        ...{ bi: '9223372036854775807', bu: '18446744073709551615' },
      },
    ]);
    expect(result.types).toEqual({
      ti: 'INT8',
      si: 'INT16',
      mi: 'INT24',
      i: 'INT32',
      tu: 'UINT8',
      bo: 'INT8',
      bi: 'INT64',
      bu: 'UINT64',
    });
    const count = await db.execute('SELECT COUNT(*) AS n FROM ps_ints');
    expect(count.rows).toEqual([{ n: '3' }]);
    expect(count.types.n).toBe('INT64');
  });

  it('keeps DECIMAL exact and returns floats as numbers', async () => {
    const db = connect({ url: gateway.url });
    const big = '12345678901234567890123456789012345.123456789012345678901234567890';
    const values = ['1.10', big, 1.5, 2.25, '2.05'];
    await db.execute('INSERT INTO ps_decimals VALUES (1, ?, ?, ?, ?), (2, ?, 0, 0, 0)', values);
    const result = await db.execute('SELECT d, big, f, db FROM ps_decimals WHERE id = 1');
    expect(result.rows).toEqual([{ d: '1.10', big, f: 1.5, db: 2.25 }]);
    expect(result.types).toEqual({ d: 'DECIMAL', big: 'DECIMAL', f: 'FLOAT32', db: 'FLOAT64' });
    const agg = await db.execute('SELECT SUM(d) AS s, AVG(d) AS a FROM ps_decimals');
    expect(agg.rows).toEqual([{ s: '3.15', a: '1.575000' }]);
    expect(agg.types).toEqual({ s: 'DECIMAL', a: 'DECIMAL' });
  });

  it('returns dates and times as MySQL strings, in UTC', async () => {
    const db = connect({ url: gateway.url });
    const jsDate = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    await db.execute('INSERT INTO ps_times VALUES (1, ?, ?, ?, ?, ?, ?, ?)', [
      ...['2024-01-02', '2024-01-02 03:04:05', '2024-01-02 03:04:05.123456', '-838:59:59'],
      ...[2006, '2024-01-02 03:04:05', jsDate],
    ]);
    const result = await db.execute(
      'SELECT d, dt, dt6, t, y, ts, dt3, UNIX_TIMESTAMP(ts) AS epoch, ' +
        'TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) AS skew, @@session.time_zone AS tz FROM ps_times WHERE id = 1',
    );
    expect(result.rows).toEqual([
      {
        d: '2024-01-02',
        dt: '2024-01-02 03:04:05',
        dt6: '2024-01-02 03:04:05.123456',
        t: '-838:59:59',
        y: 2006,
        ts: '2024-01-02 03:04:05',
        dt3: '2024-01-02 03:04:05.678',
        epoch: String(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000),
        skew: '0',
        tz: '+00:00',
      },
    ]);
    expect(result.types).toMatchObject({ d: 'DATE', dt: 'DATETIME', dt6: 'DATETIME', t: 'TIME', y: 'YEAR' });
    expect(result.types.ts).toBe('TIMESTAMP');
  });

  it('round-trips Korean and emoji text through columns, parameters and aliases, counting bytes', async () => {
    const db = connect({ url: gateway.url });
    const text = '한국어 😀';
    const values = [1, text, text, 'b', 'bb', 'c', 'cc'];
    await db.execute('INSERT INTO ps_text (id, v, t) VALUES (?, ?, ?), (2, ?, ?), (3, ?, ?)', values);
    const result = await db.execute('SELECT v AS 이름, t, ? AS p FROM ps_text WHERE id = 1', [text]);
    expect(result.rows).toEqual([{ 이름: text, t: text, p: text }]);
    const wire = await raw(gateway, EXECUTE, { query: "SELECT '😀' AS a, 'x' AS b, '한' AS c", session: null });
    expect(wire.json.result.rows[0].lengths).toEqual(['4', '1', '3']);
    const decoded = await db.execute("SELECT '😀' AS a, 'x' AS b, '한' AS c");
    expect(decoded.rows).toEqual([{ a: '😀', b: 'x', c: '한' }]);
  });

  it('round-trips quotes, backslashes, NUL, newlines and control characters in parameters', async () => {
    const db = connect({ url: gateway.url });
    const nasty = `it's "quoted" \\ back\\slash\0nul\nnew\r\t\x1a\b end`;
    const echoed = await db.execute('SELECT ? AS s', [nasty]);
    expect(echoed.rows).toEqual([{ s: nasty }]);
    await db.execute('UPDATE ps_text SET t = ? WHERE id = 2', [nasty]);
    const stored = await db.execute('SELECT t, LENGTH(t) AS bytes FROM ps_text WHERE id = 2');
    const row = stored.rows[0] as { t: string; bytes: number | string };
    expect(row.t).toBe(nasty);
    expect(Number(row.bytes)).toBe(Buffer.byteLength(nasty)); // INT on MariaDB, BIGINT (a string) on MySQL 8
  });

  it('returns binary columns as bytes and _bin collations as text', async () => {
    const db = connect({ url: gateway.url });
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    await db.execute("INSERT INTO ps_bin VALUES (1, ?, ?, 'r', 'ab', 'ab', b'111', ST_GeomFromText('POINT(1 2)'))", [
      all,
      all,
    ]);
    const result = await db.execute('SELECT vb, bl, b4, cbin, cutf, bt, g FROM ps_bin WHERE id = 1');
    const row = result.rows[0] as Record<string, unknown>;
    expect(row.vb).toBeInstanceOf(Uint8Array);
    expect(Array.from(row.vb as Uint8Array)).toEqual(Array.from(all));
    expect(Array.from(row.bl as Uint8Array)).toEqual(Array.from(all));
    expect(Array.from(row.b4 as Uint8Array)).toEqual([114, 0, 0, 0]);
    expect(Array.from(row.cbin as Uint8Array)).toEqual([97, 98, 0, 0]);
    expect(row.cutf).toBe('ab');
    expect(Array.from(row.bt as Uint8Array)).toEqual([7]);
    const point = row.g as Uint8Array;
    expect(point).toBeInstanceOf(Uint8Array);
    expect(point.length).toBe(25); // 4-byte SRID + WKB point
    expect(new DataView(point.buffer, point.byteOffset).getFloat64(9, true)).toBe(1);
    expect(result.types).toEqual({
      vb: 'VARBINARY',
      bl: 'BLOB',
      b4: 'BINARY',
      cbin: 'BINARY',
      cutf: 'BINARY',
      bt: 'BIT',
      g: 'GEOMETRY',
    });
  });

  it('parses JSON columns and expressions, and returns ENUM/SET as strings', async () => {
    const db = connect({ url: gateway.url });
    await db.execute('INSERT INTO ps_json VALUES (1, ?, ?, ?), (2, ?, NULL, NULL)', [
      '{"b": [1, 2], "a": "한"}',
      'large',
      'a,c',
      'null',
    ]);
    const sql = 'SELECT j, e, s, JSON_OBJECT(?, 1, ?, ?) AS obj FROM ps_json WHERE id = 1';
    const result = await db.execute(sql, ['x', 'y', 'z']);
    expect(result.rows).toEqual([{ j: { a: '한', b: [1, 2] }, e: 'large', s: 'a,c', obj: { x: 1, y: 'z' } }]);
    expect(result.types).toEqual({ j: 'JSON', e: 'ENUM', s: 'SET', obj: 'JSON' });
    const jsonNull = await db.execute('SELECT j, j IS NULL AS sqlNull FROM ps_json WHERE id = 2');
    expect(jsonNull.rows).toEqual([{ j: null, sqlNull: 0 }]);
  });

  it('returns several rows in order, and an empty result with headers', async () => {
    const db = connect({ url: gateway.url });
    const many = await db.execute('SELECT id, v FROM ps_text ORDER BY id');
    expect(many.rows.map((r) => (r as { id: number }).id)).toEqual([1, 2, 3]);
    expect(many.size).toBe(3);
    const empty = await db.execute('SELECT id, v FROM ps_text WHERE id < 0');
    expect(empty.rows).toEqual([]);
    expect(empty.headers).toEqual(['id', 'v']);
    expect(empty.size).toBe(0);
    const wire = await raw(gateway, EXECUTE, { query: 'SELECT id FROM ps_text WHERE id < 0', session: null });
    expect(wire.json.result.fields.map((f: { name: string }) => f.name)).toEqual(['id']);
    expect(wire.json.result).not.toHaveProperty('rows');
  });

  it('reports rowsAffected and insertId from DML, matched rows for a no-op UPDATE', async () => {
    const db = connect({ url: gateway.url });
    const first = await db.execute('INSERT INTO ps_dml (v) VALUES (?)', ['a']);
    expect(first.rowsAffected).toBe(1);
    expect(first.insertId).toMatch(/^[1-9]\d*$/);
    const same = await db.execute('UPDATE ps_dml SET v = ? WHERE id = ?', ['a', first.insertId]);
    expect(same.rowsAffected).toBe(1);
    await admin.query('ALTER TABLE ps_dml AUTO_INCREMENT = 9007199254740993');
    const big = await db.execute('INSERT INTO ps_dml (v) VALUES (?)', ['big']);
    expect(big.insertId).toBe('9007199254740993');
    const plain = await db.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [100, 'no-ai']);
    expect(plain).toMatchObject({ rowsAffected: 1, insertId: '0' });
    const removed = await db.execute('DELETE FROM ps_dml');
    expect(removed.rowsAffected).toBe(2);
    const begin = await raw(gateway, EXECUTE, { query: 'DO 1', session: null });
    expect(begin.json.result).toEqual({});
  });

  it('treats the ps-http-sim no-op statements as empty successes', async () => {
    const db = connect({ url: gateway.url });
    await expect(db.execute('SET @@boost_cached_queries = true')).resolves.toMatchObject({ rows: [], rowsAffected: 0 });
    await expect(db.execute('USE @replica')).resolves.toMatchObject({ rows: [] });
    expect((await db.execute('SELECT DATABASE() AS db')).rows).toEqual([{ db: DB }]);
  });
});

describe('errors', () => {
  const db = () => connect({ url: gateway.url });

  it('maps a syntax error to INVALID_ARGUMENT with the Vitess message format', async () => {
    const err = await failure(db().execute('SELEC 1'));
    expect(err.status).toBe(400);
    expect(err.body.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toMatch(/You have an error in your SQL syntax.* \(errno 1064\) \(sqlstate 42000\)$/);
    expect(err.body.message).toBe(err.message);
  });

  it('maps missing tables, duplicate keys, FK violations and too-long data', async () => {
    const missing = await failure(db().execute('SELECT * FROM ps_nope'));
    expect(missing.body.code).toBe('NOT_FOUND');
    expect(missing.message).toContain('(errno 1146)');
    await db().execute('INSERT INTO ps_tx (id, v) VALUES (1, ?)', ['one']);
    const duplicate = await failure(db().execute('INSERT INTO ps_tx (id, v) VALUES (1, ?)', ['again']));
    expect(duplicate.body.code).toBe('ALREADY_EXISTS');
    expect(duplicate.message).toContain('(errno 1062)');
    const orphan = await failure(db().execute('INSERT INTO ps_child (id, parent_id) VALUES (1, 999)'));
    expect(orphan.body.code).toBe('FAILED_PRECONDITION');
    expect(orphan.message).toContain('(errno 1452)');
    // Strict sql_mode (MySQL 8 default) turns truncation into an error.
    const tooLong = await failure(db().execute('INSERT INTO ps_text (id, short) VALUES (9, ?)', ['four']));
    expect(tooLong.body.code).toBe('INVALID_ARGUMENT');
    expect(tooLong.message).toContain('(errno 1406)');
  });

  it('rejects several statements in one Execute', async () => {
    const err = await failure(db().execute('SELECT 1; SELECT 2'));
    expect(err.body.code).toBe('INVALID_ARGUMENT');
    expect(err.message).toContain('(errno 1064)');
  });

  it('sends SQL errors as HTTP 200 with the session', async () => {
    const reply = await raw(gateway, EXECUTE, { query: 'SELECT * FROM ps_nope', session: null });
    expect(reply.status).toBe(200);
    expect(reply.json.session.vitessSession.SessionUUID).toEqual(expect.any(String));
    expect(reply.json.error).toEqual({ code: 'NOT_FOUND', message: expect.stringContaining('(sqlstate 42S02)') });
    expect(reply.json).not.toHaveProperty('result');
  });
});

describe('transactions', () => {
  const client = () => new Client({ url: gateway.url });
  const count = async (id: number) => {
    const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS c FROM ps_tx WHERE id = ?', [id]);
    return Number(rows[0]?.c);
  };

  it('makes committed writes visible', async () => {
    await client().transaction(async (tx) => {
      await tx.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [10, 'committed']);
    });
    expect(await count(10)).toBe(1);
  });

  it('rolls back when the callback throws', async () => {
    const run = client().transaction(async (tx) => {
      await tx.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [11, 'doomed']);
      throw new Error('boom');
    });
    await expect(run).rejects.toThrow('boom');
    expect(await count(11)).toBe(0);
  });

  it('hides uncommitted rows from a concurrent Client.execute', async () => {
    const db = client();
    await db.transaction(async (tx) => {
      await tx.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [12, 'pending']);
      const inside = await tx.execute('SELECT COUNT(*) AS c FROM ps_tx WHERE id = 12');
      const outside = await db.execute('SELECT COUNT(*) AS c FROM ps_tx WHERE id = 12');
      expect(inside.rows).toEqual([{ c: '1' }]);
      expect(outside.rows).toEqual([{ c: '0' }]);
    });
    expect((await db.execute('SELECT COUNT(*) AS c FROM ps_tx WHERE id = 12')).rows).toEqual([{ c: '1' }]);
  });

  it('runs parallel tx.execute calls inside one transaction', async () => {
    const ids = [20, 21, 22, 23, 24];
    const seen = await client().transaction(async (tx) => {
      await Promise.all(ids.map((id) => tx.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [id, 'parallel'])));
      return (await tx.execute('SELECT COUNT(*) AS c FROM ps_tx WHERE id BETWEEN 20 AND 24')).rows;
    });
    expect(seen).toEqual([{ c: '5' }]);
    const visible = await Promise.all(ids.map(count));
    expect(visible).toEqual([1, 1, 1, 1, 1]);
  });

  it('keeps the transaction open after a statement fails inside it', async () => {
    await client().transaction(async (tx) => {
      await tx.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [30, 'kept']);
      await failure(tx.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [30, 'duplicate']));
      await tx.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [31, 'after']);
    });
    expect((await count(30)) + (await count(31))).toBe(2);
  });

  it('marks the session inTransaction between BEGIN and COMMIT', async () => {
    const begin = await raw(gateway, EXECUTE, { query: 'BEGIN', session: null });
    expect(begin.json.result).toEqual({});
    expect(begin.json.session.vitessSession.inTransaction).toBe(true);
    const session = begin.json.session;
    const insert = await raw(gateway, EXECUTE, { query: "INSERT INTO ps_tx VALUES (40, 'raw')", session });
    expect(insert.json.session.vitessSession.inTransaction).toBe(true);
    expect(await count(40)).toBe(0);
    const commit = await raw(gateway, EXECUTE, { query: 'COMMIT', session: insert.json.session });
    expect(commit.json.session.vitessSession).not.toHaveProperty('inTransaction');
    expect(await count(40)).toBe(1);
  });

  it('fails an idle-expired transaction with ABORTED and rolls it back', async () => {
    const err = await failure(
      new Client({ url: limited.url }).transaction(async (tx) => {
        await tx.execute('INSERT INTO ps_tx (id, v) VALUES (?, ?)', [50, 'expired']);
        await sleep(IDLE_MS * 3);
        await tx.execute('SELECT 1');
      }),
    );
    expect(err.status).toBe(400);
    expect(err.body.code).toBe('ABORTED');
    expect(err.message).toContain('transaction not found');
    // The row lock is gone too: the gateway rolled back and closed the pinned connection.
    await admin.query('SET SESSION innodb_lock_wait_timeout = 1');
    await admin.query("INSERT INTO ps_tx (id, v) VALUES (50, 'free')");
  });

  it('fails a transaction whose MariaDB connection died with ABORTED, never in autocommit', async () => {
    const conn = connect({ url: gateway.url });
    await conn.execute('BEGIN');
    await conn.execute("INSERT INTO ps_tx (id, v) VALUES (70, 'lost')");
    const { rows } = await conn.execute('SELECT CONNECTION_ID() AS id');
    await admin.query(`KILL ${Number((rows[0] as { id: string }).id)}`);
    for (let i = 0; i < 2; i++) {
      const err = await failure(conn.execute("INSERT INTO ps_tx (id, v) VALUES (71, 'autocommit?')"));
      expect(err.body.code).toBe('ABORTED');
    }
    await expect(conn.execute('ROLLBACK')).resolves.toMatchObject({ rows: [] });
    expect((await count(70)) + (await count(71))).toBe(0);
    expect((await conn.execute('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('accepts ROLLBACK on an expired session as a no-op', async () => {
    const begin = await raw(limited, EXECUTE, { query: 'BEGIN', session: null });
    await sleep(IDLE_MS * 3);
    const rollback = await raw(limited, EXECUTE, { query: 'ROLLBACK', session: begin.json.session });
    expect(rollback.status).toBe(200);
    expect(rollback.json.error).toBeUndefined();
    expect(rollback.json.session.vitessSession).not.toHaveProperty('inTransaction');
  });
});

describe('sessions', () => {
  it('keeps user variables on one Connection, and only there', async () => {
    const conn = connect({ url: gateway.url });
    await conn.execute('SET @x = 5');
    expect((await conn.execute('SELECT @x AS x')).rows).toEqual([{ x: '5' }]);
    expect((await connect({ url: gateway.url }).execute('SELECT @x AS x')).rows).toEqual([{ x: null }]);
  });

  it('queues 20 parallel requests on one Connection and runs them one at a time on its connection', async () => {
    const conn = connect({ url: gateway.url });
    await conn.execute('SET @n = 0');
    const results = await Promise.all(Array.from({ length: 20 }, () => conn.execute('SELECT @n := @n + 1 AS n')));
    const seen = results.map((r) => Number((r.rows[0] as { n: string }).n)).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const fresh = connect({ url: gateway.url });
    const parallel = await Promise.all(Array.from({ length: 20 }, (_, i) => fresh.execute('SELECT ? AS i', [i])));
    expect(parallel.map((r) => (r.rows[0] as { i: number }).i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('rejects concurrent requests on a busy session with 403 in strict mode', async () => {
    const conn = connect({ url: strict.url });
    await conn.execute('SELECT 1');
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => conn.execute('SELECT SLEEP(0.3) AS s')));
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    expect(rejected.length).toBeGreaterThan(0);
    for (const reason of rejected) {
      expect(reason).toBeInstanceOf(DatabaseError);
      expect((reason as DatabaseError).status).toBe(403);
      expect((reason as DatabaseError).body.code).toBe('permission_denied');
      expect((reason as DatabaseError).message).toMatch(/^session already in use: /);
    }
  });

  it('creates a session for refresh()', async () => {
    const conn = connect({ url: gateway.url });
    await expect(conn.refresh()).resolves.toBeUndefined();
    expect((await conn.execute('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    const reply = await raw(gateway, '/psdb.v1alpha1.Database/CreateSession', {});
    expect(reply.status).toBe(200);
    expect(reply.json.user.username).toBe(USER);
    expect(reply.json.session.vitessSession).toMatchObject({ SessionUUID: expect.any(String), targetString: DB });
  });

  it('rolls back and forgets a session on CloseSession (ps-http-sim)', async () => {
    const begin = await raw(gateway, EXECUTE, { query: 'BEGIN', session: null });
    const session = begin.json.session;
    await raw(gateway, EXECUTE, { query: "INSERT INTO ps_tx (id, v) VALUES (80, 'closed')", session });
    const closed = await raw(gateway, '/psdb.v1alpha1.Database/CloseSession', { session });
    expect(closed.status).toBe(200);
    expect(closed.json.session.vitessSession).toMatchObject({ SessionUUID: session.vitessSession.SessionUUID });
    expect(closed.json.session.vitessSession).not.toHaveProperty('inTransaction');
    const stale = await raw(gateway, EXECUTE, { query: 'COMMIT', session });
    expect(stale.json.error.code).toBe('ABORTED');
    // Rolled back, locks released: the same key is free for someone else at once.
    await admin.query('SET SESSION innodb_lock_wait_timeout = 1');
    await admin.query("INSERT INTO ps_tx (id, v) VALUES (80, 'free')");
  });

  it('does not trust a session it did not sign', async () => {
    const forged = { signature: btoa('x'.repeat(32)), vitessSession: { SessionUUID: 'forged', inTransaction: true } };
    const inTx = await raw(gateway, EXECUTE, { query: 'SELECT 1', session: forged });
    expect(inTx.json.error.code).toBe('ABORTED');
    const idle = { ...forged, vitessSession: { SessionUUID: 'forged' } };
    const plain = await raw(gateway, EXECUTE, { query: 'SELECT 1', session: idle });
    expect(plain.json.error).toBeUndefined();
    expect(plain.json.session.vitessSession.SessionUUID).not.toBe('forged');
  });
});

describe('limits and options', () => {
  it('decodes 10 000 rows of about 1 KB each', async () => {
    const result = await connect({ url: gateway.url }).execute(
      "SELECT seq, CONCAT(LPAD(seq, 5, '0'), REPEAT('가', 339), 'Z') AS payload FROM seq_1_to_10000",
    );
    expect(result.size).toBe(10_000);
    result.rows.forEach((row, i) => {
      const { seq, payload } = row as { seq: string; payload: string };
      expect(seq).toBe(String(i + 1));
      expect(payload).toBe(`${String(i + 1).padStart(5, '0')}${'가'.repeat(339)}Z`);
    });
  });

  it('fails past the row limit with RESOURCE_EXHAUSTED and keeps the session usable', async () => {
    const conn = connect({ url: limited.url });
    await expect(conn.execute(`SELECT seq FROM seq_1_to_${LIMIT_ROWS}`)).resolves.toMatchObject({ size: LIMIT_ROWS });
    const err = await failure(conn.execute(`SELECT seq FROM seq_1_to_${LIMIT_ROWS + 1}`));
    expect(err.body.code).toBe('RESOURCE_EXHAUSTED');
    expect(err.message).toContain(`Row count exceeded ${LIMIT_ROWS}`);
    expect((await conn.execute('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
  });

  it('caps results at 100 000 rows by default', async () => {
    const err = await failure(connect({ url: gateway.url }).execute('SELECT seq FROM seq_1_to_100001'));
    expect(err.body.code).toBe('RESOURCE_EXHAUSTED');
    expect(err.message).toContain('Row count exceeded 100000');
  });

  it("returns arrays with {as:'array'}, keeping duplicate column names", async () => {
    const result = await connect({ url: gateway.url }).execute('SELECT 1 AS a, 2 AS a', null, { as: 'array' });
    expect(result.rows).toEqual([[1, 2]]);
    expect(result.headers).toEqual(['a', 'a']);
  });

  it('hands a custom cast the field type, charset and flags', async () => {
    const seen: Field[] = [];
    const conn = connect({
      url: gateway.url,
      cast: (field, value) => {
        seen.push(field);
        return field.type === 'INT64' && value !== null ? BigInt(value as string) : cast(field, value);
      },
    });
    const result = await conn.execute("SELECT CAST(9007199254740993 AS SIGNED) AS big, 'x' AS s");
    expect(result.rows).toEqual([{ big: 9007199254740993n, s: 'x' }]);
    expect(seen.find((f) => f.name === 'big')).toMatchObject({ type: 'INT64', charset: 63, flags: expect.any(Number) });
    expect(seen.find((f) => f.name === 's')).toMatchObject({ type: 'VARCHAR', charset: 224 });
  });

  it('reports time as a non-negative number of milliseconds', async () => {
    const result = await connect({ url: gateway.url }).execute('SELECT SLEEP(0.05) AS s');
    expect(result.time).toBeGreaterThanOrEqual(50);
    expect(result.time).toBeLessThan(10_000);
  });

  it('rolls back open transactions and stops listening on close()', async () => {
    const own = await start();
    const conn = connect({ url: own.url });
    await conn.execute('BEGIN');
    await conn.execute("INSERT INTO ps_tx (id, v) VALUES (60, 'open')");
    await own.close();
    await expect(fetch(`http://127.0.0.1:${own.port}${EXECUTE}`, { method: 'POST', body: '{}' })).rejects.toThrow();
    await admin.query('SET SESSION innodb_lock_wait_timeout = 1');
    await admin.query("INSERT INTO ps_tx (id, v) VALUES (60, 'free')");
  });
});
