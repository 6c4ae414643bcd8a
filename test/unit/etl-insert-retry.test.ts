// A multi-row INSERT whose reply was lost: the retry meets the rows the first attempt stored
// (ALREADY_EXISTS), and counts them, by the statement's kind of row and its id range, to decide.
import { describe, expect, it } from 'vitest';
import type { SqlClient } from '../../etl/targets/sql-client.ts';
import type { InsertStatement } from '../../etl/transform/sql-values.ts';
import { sendInsert } from '../../etl/write/worker.ts';

const st: InsertStatement = { sql: 'INSERT INTO health_records …', invalid: true, firstId: 11, lastId: 40, rows: 18 };
const lostReply = () => Object.assign(new TypeError('fetch failed'), { name: 'TypeError' });
const duplicate = () =>
  Object.assign(new Error('Duplicate entry'), { name: 'DatabaseError', body: { code: 'ALREADY_EXISTS' } });

function client(stored: number): { db: SqlClient; calls: [string, readonly unknown[] | undefined][] } {
  const calls: [string, readonly unknown[] | undefined][] = [];
  let inserts = 0;
  const db: SqlClient = {
    describe: 'fake',
    async close() {},
    async execute(sql, args) {
      calls.push([sql, args]);
      if (sql.startsWith('INSERT')) throw ++inserts === 1 ? lostReply() : duplicate();
      return { rows: [{ n: stored }], affectedRows: 0, insertId: 0 };
    },
  };
  return { db, calls };
}

describe('sendInsert after a lost reply', () => {
  it('counts the rows of its kind between its first and last id, and takes them as stored when all are', async () => {
    const { db, calls } = client(18);
    let retries = 0;
    await sendInsert(db, st, 5, () => retries++);
    expect(retries).toBe(1);
    expect(calls.map(([sql]) => sql.split(' ')[0])).toEqual(['INSERT', 'INSERT', 'SELECT']);
    const [sql, args] = calls[2] as [string, unknown[]];
    expect(sql).toMatch(/WHERE dataset_id = \? AND invalid_flag = \? AND id BETWEEN \? AND \?/);
    expect(args).toEqual([5, 1, 11, 40]);
  });

  it('fails with the duplicate error when only some of them are there', async () => {
    const { db } = client(17);
    await expect(sendInsert(db, st, 5, () => {})).rejects.toMatchObject({ body: { code: 'ALREADY_EXISTS' } });
  });
});
