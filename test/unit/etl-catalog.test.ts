// The pointer switch and the run lock when a reply is lost: the statement ran, its reply did not
// arrive, and the retry must recognise its own work instead of failing (or, worse, removing the
// dataset it just made live).
import { describe, expect, it } from 'vitest';
import { switchPointer } from '../../etl/dataset/catalog.ts';
import { acquireRunLock } from '../../etl/dataset/run-lock.ts';
import { retrying, type SqlClient, type SqlResult } from '../../etl/targets/sql-client.ts';

const lost = () => Object.assign(new TypeError('fetch failed'), { name: 'TypeError' });
const result = (r: Partial<SqlResult>): SqlResult => ({ rows: [], affectedRows: 0, insertId: 0, ...r });

/** A pointer row in memory; the first UPDATE of each kind runs but loses its reply. */
function fakeDb() {
  const pointer = { live: 1 as number | null, previous: null as number | null, generation: 5 };
  const lock = { holder: null as string | null };
  const lostOnce = new Set(['switch', 'lock']);
  const db: SqlClient = {
    describe: 'fake',
    async close() {},
    async execute(sql, args = []) {
      if (sql.startsWith('UPDATE dataset_pointer')) {
        const [live, previous, generation] = args as [number, number | null, number];
        const ok = pointer.generation === generation;
        if (ok) Object.assign(pointer, { live, previous, generation: generation + 1 });
        if (lostOnce.delete('switch')) throw lost();
        return result({ affectedRows: ok ? 1 : 0 });
      }
      if (sql.startsWith('SELECT live_dataset')) {
        return result({
          rows: [
            {
              live_dataset: pointer.live,
              previous_dataset: pointer.previous,
              generation: pointer.generation,
              ago_ms: 0,
            },
          ],
        });
      }
      if (sql.startsWith('UPDATE etl_lock SET holder = ?, acquired_at')) {
        const [holder, , mine] = args as [string, number, string];
        const ok = lock.holder === null || lock.holder === mine;
        if (ok) lock.holder = holder;
        if (lostOnce.delete('lock')) throw lost();
        return result({ affectedRows: ok ? 1 : 0 });
      }
      if (sql.startsWith('UPDATE etl_lock')) return result({ affectedRows: 1 });
      throw new Error(`unexpected ${sql}`);
    },
  };
  return { db: retrying(db, { retries: 3, baseMs: 1 }), pointer, lock };
}

describe('a lost reply', () => {
  it('to the pointer switch: the retry finds its own switch made, and says so', async () => {
    const { db, pointer } = fakeDb();
    const generation = await switchPointer(db, { live: 1, previous: null, generation: 5, changedAt: 0 }, 2, 1);
    expect(generation).toBe(6);
    expect(pointer).toEqual({ live: 2, previous: 1, generation: 6 });
  });

  it('to the switch of another writer is still an error', async () => {
    const { db, pointer } = fakeDb();
    pointer.generation = 9; // someone switched meanwhile
    await expect(switchPointer(db, { live: 1, previous: null, generation: 5, changedAt: 0 }, 2, 1)).rejects.toThrow(
      /changed while this run worked/,
    );
  });

  it('to taking the run lock: the retry finds the lock its own', async () => {
    const { db, lock } = fakeDb();
    const held = await acquireRunLock(db, { ttlSeconds: 30, waitMs: 0 });
    expect(lock.holder).toBe(held.holder);
    await held.release();
  });
});
