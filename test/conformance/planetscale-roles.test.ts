// Conformance: a password of PlanetScale's reader role reads and never writes ("reader: Can Read",
// pscale password create --role reader, planetscale/cli#461), driven by the official driver.
import { DatabaseError, connect } from '@planetscale/database';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlTarget } from '../../local/config.ts';
import { startPlanetScaleGateway, type RunningGateway } from '../../local/planetscale-gateway.ts';

const DB = 'nhis_conformance_roles';
let reader: RunningGateway;
let admin: mysql.Connection;

beforeAll(async () => {
  admin = await mysql.createConnection({ ...mysqlTarget() });
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB} CHARACTER SET utf8mb4`);
  await admin.query(`USE ${DB}`);
  await admin.query('DROP TABLE IF EXISTS ro_rows');
  await admin.query('CREATE TABLE ro_rows (id INT PRIMARY KEY, v VARCHAR(8)) ENGINE=InnoDB');
  await admin.query("INSERT INTO ro_rows VALUES (1, 'a'), (2, 'b')");
  reader = await startPlanetScaleGateway({
    mysql: mysqlTarget(),
    database: DB,
    username: 'ro-user',
    password: 'ro-pass',
    role: 'reader',
  });
});

afterAll(async () => {
  await reader?.close();
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.end();
});

describe('a reader password', () => {
  it('reads: SELECT, transactions and session settings', async () => {
    const db = connect({ url: reader.url });
    expect((await db.execute('SELECT id, v FROM ro_rows ORDER BY id')).rows).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
    await db.execute("SET time_zone = '+00:00'");
    await db.transaction(async (tx) => {
      expect((await tx.execute('SELECT COUNT(*) AS n FROM ro_rows')).rows).toEqual([{ n: '2' }]);
    });
  });

  it.each([
    ["INSERT INTO ro_rows VALUES (3, 'c')", 'INSERT'],
    ["UPDATE ro_rows SET v = 'z' WHERE id = 1", 'UPDATE'],
    ['DELETE FROM ro_rows WHERE id = 2', 'DELETE'],
    ["REPLACE INTO ro_rows VALUES (1, 'r')", 'REPLACE'],
    ['CREATE TABLE ro_new (id INT PRIMARY KEY)', 'CREATE'],
  ])('never writes: %s is refused with PERMISSION_DENIED and changes nothing', async (sql, verb) => {
    const err = await connect({ url: reader.url })
      .execute(sql)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as DatabaseError).body).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect((err as DatabaseError).message).toContain(`table acl error: "ro-user" [] cannot run ${verb}`);
    const [rows] = await admin.query('SELECT id, v FROM ro_rows ORDER BY id');
    expect(rows).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
    expect(reader.statements().at(-1)).toMatchObject({ refused: true, rule: 'read-only-role' });
  });
});
