// Conformance: the gateway's statement log and counters (what acceptance tests and the ETL benchmark read),
// and the cost of classifying the ETL's ~1 MB multi-row INSERTs: head tokens only, never the SQL parser.
import { connect } from '@planetscale/database';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mysqlTarget } from '../../local/config.ts';
import { startPlanetScaleGateway } from '../../local/planetscale-gateway.ts';
import type { RunningGateway, StatementLogEntry } from '../../local/planetscale-gateway.ts';

const DB = 'nhis_conformance_log';
const USER = 'log';
const PASSWORD = 'log-pass';

let gateway: RunningGateway;
let admin: mysql.Connection;
const seen: StatementLogEntry[] = [];

beforeAll(async () => {
  admin = await mysql.createConnection({ ...mysqlTarget() });
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB} CHARACTER SET utf8mb4`);
  await admin.query(`USE ${DB}`);
  await admin.query('DROP TABLE IF EXISTS log_rows');
  await admin.query(
    `CREATE TABLE log_rows (id INT PRIMARY KEY, name VARCHAR(64), note VARCHAR(200), score DECIMAL(6,2),
       taken DATETIME NULL) ENGINE=InnoDB`,
  );
  gateway = await startPlanetScaleGateway({
    mysql: mysqlTarget(),
    database: DB,
    username: USER,
    password: PASSWORD,
    onStatement: (entry) => seen.push(entry),
  });
});

afterAll(async () => {
  await gateway?.close();
  await admin?.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin?.end();
});

beforeEach(() => {
  seen.length = 0;
  gateway.resetStats();
});

describe('statement log', () => {
  it('records kind, refusal rule and code, rows, duration and classification time per Execute', async () => {
    const db = connect({ url: gateway.url });
    await db.execute("INSERT INTO log_rows (id, name) VALUES (1, 'a'), (2, 'b')");
    await db.execute('SELECT id FROM log_rows');
    await db.execute("UPDATE log_rows SET name = 'c' WHERE id = 1");
    await db.execute('SET @v = 1');
    await db.execute('CREATE TABLE log_other (id INT)').catch(() => undefined);
    await db.execute('SELECT * FROM log_missing').catch(() => undefined);
    await db.execute('DELETE FROM log_rows');

    expect(seen.map((e) => e.kind)).toEqual(['insert', 'select', 'update', 'set', 'ddl', 'select', 'delete']);
    expect(seen[0]).toMatchObject({ refused: false, rowsAffected: 2, rows: 0, sql: expect.stringMatching(/^INSERT/) });
    expect(seen[1]).toMatchObject({ rows: 2, rowsAffected: 0 });
    expect(seen[4]).toMatchObject({ refused: true, rule: 'direct-ddl', code: 'UNKNOWN' });
    expect(seen[5]).toMatchObject({ refused: false, code: 'NOT_FOUND' }); // MariaDB's error, not a gateway rule
    for (const e of seen) {
      expect(e.durationMs).toBeGreaterThanOrEqual(e.classifyMs);
      expect(e.classifyCpuMs).toBeGreaterThanOrEqual(0);
    }
    expect(gateway.statements().slice(-7)).toEqual(seen);
    const stats = gateway.stats();
    expect(stats).toMatchObject({ statements: 7, refused: 1, errors: 2, byRule: { 'direct-ddl': 1 } });
    expect(stats.classifyMs).toBeCloseTo(
      seen.reduce((sum, e) => sum + e.classifyMs, 0),
      6,
    );
  });

  it('counts injected faults as refusals under the rule "fault"', async () => {
    gateway.faults.inject({ code: 'UNAVAILABLE', count: 1 });
    await connect({ url: gateway.url })
      .execute('SELECT 1')
      .catch(() => undefined);
    expect(seen[0]).toMatchObject({ refused: true, rule: 'fault', code: 'UNAVAILABLE', kind: 'select' });
    expect(gateway.stats()).toMatchObject({ refused: 1, faultsApplied: 1, byRule: { fault: 1 } });
  });
});

describe('classification cost', () => {
  // The ETL sends ~1 MB INSERT ... VALUES statements at a high rate on two shared cores; node-sql-parser needs
  // ~2.4 s for one of those, so the verdict must come from the head tokens alone. Asserted on the counters,
  // not on timing, because machines are noisy.
  it('classifies a ~1 MB 5,000-row INSERT without the parser or a whole-statement scan', async () => {
    const rows = Array.from(
      { length: 5000 },
      (_, i) =>
        `(${i}, 'name ${i} with ''quotes'' and LOAD DATA', '${'abcdefghij'.repeat(17)}', ${(i % 9999) / 100}, '2024-01-02 03:04:05')`,
    );
    const sql = `INSERT INTO log_rows (id, name, note, score, taken) VALUES ${rows.join(',')}`;
    expect(sql.length).toBeGreaterThan(1_000_000);
    const before = gateway.stats();
    const result = await connect({ url: gateway.url }).execute(sql);
    expect(result.rowsAffected).toBe(5000);
    const after = gateway.stats();
    expect(after.parserCalls - before.parserCalls).toBe(0);
    expect(after.fullScans - before.fullScans).toBe(0);
    expect(seen[0]).toMatchObject({ kind: 'insert', refused: false, rowsAffected: 5000 });
    expect(seen[0]!.classifyMs).toBeLessThan(50);
    await admin.query('DELETE FROM log_rows');
  });

  it('uses the parser only for short DDL that mentions a foreign key', async () => {
    const before = gateway.stats().parserCalls;
    await connect({ url: gateway.url })
      .execute('CREATE TABLE t (id INT, p INT REFERENCES q (id))')
      .catch(() => undefined);
    await connect({ url: gateway.url })
      .execute('CREATE TABLE t (id INT)')
      .catch(() => undefined);
    expect(gateway.stats().parserCalls - before).toBe(1);
    expect(seen.map((e) => e.rule)).toEqual(['foreign-key', 'direct-ddl']);
  });
});
