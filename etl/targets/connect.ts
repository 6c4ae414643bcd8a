// Opens the main thread's SQL client for a target, with transient errors retried.
import type { EtlTarget } from '../options.ts';
import { mysqlClient } from './mysql.ts';
import { isLoopbackHost } from './mysql-url.ts';
import { planetScaleClient, planetScaleTarget } from './planetscale.ts';
import { retrying, type SqlClient } from './sql-client.ts';

export async function openClient(target: EtlTarget, onRetry?: (err: unknown) => void): Promise<SqlClient> {
  const client = target.kind === 'planetscale' ? planetScaleClient(planetScaleTarget(target.url)) : await mysqlClient(target.mysql, target.database);
  return retrying(client, undefined, onRetry);
}

/** Whether the target is on this machine (local services, `.local/stack.json` may be used). */
export function isLoopbackTarget(target: EtlTarget): boolean {
  if (target.kind === 'planetscale') return isLoopbackHost(new URL(target.url).hostname);
  return Boolean(target.mysql.socketPath) || isLoopbackHost(target.mysql.host);
}
