// Where a run writes (EtlTarget) and the main thread's SQL client for it, with transient errors
// retried.
import { mysqlClient } from './mysql.ts';
import { isLoopbackHost, type MysqlTarget } from './mysql-url.ts';
import { planetScaleClient, planetScaleTarget } from './planetscale.ts';
import { retrying, type SqlClient } from './sql-client.ts';

/**
 * PlanetScale (the production target): the HTTP API with the Worker's DATABASE_URL, rows as
 * multi-row INSERTs. MySQL: a self-hosted MySQL or MariaDB over the MySQL protocol, rows with
 * LOAD DATA LOCAL INFILE.
 */
export type EtlTarget = { kind: 'planetscale'; url: string } | { kind: 'mysql'; mysql: MysqlTarget; database: string };

export function describeTarget(t: EtlTarget): string {
  if (t.kind === 'mysql') return `MySQL ${t.mysql.socketPath ?? `${t.mysql.host}:${t.mysql.port}`}/${t.database}`;
  const u = new URL(t.url);
  return `PlanetScale ${u.protocol}//${u.host}`;
}

export async function openClient(target: EtlTarget, onRetry?: (err: unknown) => void): Promise<SqlClient> {
  const client =
    target.kind === 'planetscale'
      ? planetScaleClient(planetScaleTarget(target.url))
      : await mysqlClient(target.mysql, target.database);
  return retrying(client, undefined, onRetry);
}

/** Whether the target is on this machine (local services, `.local/stack.json` may be used). */
export function isLoopbackTarget(target: EtlTarget): boolean {
  if (target.kind === 'planetscale') return isLoopbackHost(new URL(target.url).hostname);
  return Boolean(target.mysql.socketPath) || isLoopbackHost(target.mysql.host);
}
