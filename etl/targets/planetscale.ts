// The PlanetScale target: the official @planetscale/database driver over HTTP, with the same
// DATABASE_URL the Worker has (https://USER:PASSWORD@HOST; http:// only for a loopback gateway).
import { Client } from '@planetscale/database';
import type { SqlClient } from './sql-client.ts';
import { isLoopbackHost } from './mysql-url.ts';

export interface PlanetScaleTarget {
  url: string;
}

/** Checks DATABASE_URL's shape and says what is wrong, without echoing the password. */
export function planetScaleTarget(url: string): PlanetScaleTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error('DATABASE_URL is not a URL; expected https://USER:PASSWORD@HOST (a PlanetScale branch password)');
  }
  if (!u.username || !u.password) throw new Error('DATABASE_URL needs a user and password: https://USER:PASSWORD@HOST');
  if (u.protocol === 'http:' && !isLoopbackHost(u.hostname)) {
    throw new Error(`DATABASE_URL: http:// is only for a local gateway; ${u.hostname} must be reached over https://`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:')
    throw new Error(`DATABASE_URL must be https:// (got ${u.protocol}//)`);
  return { url };
}

export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}`;
}

/** Per-statement bound: PlanetScale ends a DML statement at 30 s, so wait a little longer at most. */
const STATEMENT_TIMEOUT_MS = 40_000;

export function planetScaleClient(target: PlanetScaleTarget, timeoutMs = STATEMENT_TIMEOUT_MS): SqlClient {
  const client = new Client({
    url: target.url,
    fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
  });
  return {
    describe: `PlanetScale at ${describeUrl(target.url)}`,
    async execute(sql, args) {
      const r = await client.execute(sql, args ? [...args] : null);
      return {
        rows: r.rows as Record<string, unknown>[],
        affectedRows: r.rowsAffected,
        insertId: Number(r.insertId ?? 0),
      };
    },
    async close() {},
  };
}
