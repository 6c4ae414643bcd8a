// One ETL run per database at a time: a lock row with an expiry, renewed while the run lives.
// A killed run's lock lapses after its time-to-live; no connection has to stay open for it
// (Vitess serves GET_LOCK only on a reserved connection, and the HTTP API has none to hold).
import { randomBytes } from 'node:crypto';
import type { SqlClient } from '../targets/sql-client.ts';

export interface RunLock {
  holder: string;
  /** Stops renewing and frees the row (best effort: it lapses by itself otherwise). */
  release(): Promise<void>;
}

export interface RunLockOptions {
  /** How long the lock holds without renewal, seconds. */
  ttlSeconds: number;
  /** How long to wait for another run's lock, ms. */
  waitMs: number;
  onLost?: (err: Error) => void;
}

export const RUN_LOCK_DEFAULTS: RunLockOptions = { ttlSeconds: 30, waitMs: 0 };

export class LockHeldError extends Error {
  override name = 'LockHeldError';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireRunLock(db: SqlClient, opts: Partial<RunLockOptions> = {}): Promise<RunLock> {
  const { ttlSeconds, waitMs, onLost } = { ...RUN_LOCK_DEFAULTS, ...opts };
  const holder = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const r = await db.execute(
      `UPDATE etl_lock SET holder = ?, acquired_at = NOW(3), expires_at = NOW(3) + INTERVAL ? SECOND
       WHERE id = 1 AND (holder IS NULL OR expires_at < NOW(3) OR holder = ?)`,
      // holder = ?: a retried UPDATE whose first reply was lost already took the lock.
      [holder, ttlSeconds, holder],
    );
    if (r.affectedRows === 1) break;
    if (Date.now() >= deadline) {
      const { rows } = await db.execute('SELECT holder, expires_at FROM etl_lock WHERE id = 1');
      const until = rows[0]?.expires_at ? ` until ${String(rows[0].expires_at)} UTC unless renewed` : '';
      throw new LockHeldError(
        `Another ETL run is working on this database (lock held by ${String(rows[0]?.holder)}${until})`,
      );
    }
    await sleep(500);
  }
  let released = false;
  const renew = async () => {
    const r = await db.execute(
      'UPDATE etl_lock SET expires_at = NOW(3) + INTERVAL ? SECOND WHERE id = 1 AND holder = ?',
      [ttlSeconds, holder],
    );
    if (r.affectedRows !== 1 && !released)
      throw new Error('The ETL run lock was lost (it expired and another run took it)');
  };
  const timer = setInterval(
    () => {
      renew().catch((err: Error) => onLost?.(err));
    },
    (ttlSeconds * 1000) / 3,
  );
  timer.unref();
  return {
    holder,
    async release() {
      released = true;
      clearInterval(timer);
      await db
        .execute('UPDATE etl_lock SET holder = NULL, expires_at = NULL WHERE id = 1 AND holder = ?', [holder])
        .catch(() => {});
    },
  };
}
