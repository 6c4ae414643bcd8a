// Where a MySQL-protocol server is (MYSQL_URL, MYSQL_SOCKET), with its TLS settings: verified TLS
// for any host that is not loopback, as managed MySQL services require; plaintext on loopback.
import { readFileSync } from 'node:fs';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  socketPath?: string;
  /** mysql2's `ssl` option; absent for plaintext (loopback only). */
  ssl?: { rejectUnauthorized: boolean; ca?: string; cert?: string; key?: string };
  /** The database named in the URL's path, if any. */
  database?: string;
}

export const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306';

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/**
 * MYSQL_URL (default mysql://root@127.0.0.1:3306) and MYSQL_SOCKET. The query string takes the
 * MySQL client's names: `ssl-mode` (DISABLED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY; default
 * VERIFY_IDENTITY off loopback, DISABLED on it), `ssl-ca`, `ssl-cert`, `ssl-key` (file paths).
 * VERIFY_CA is served as VERIFY_IDENTITY: Node checks the host name whenever it checks the chain.
 */
export function mysqlTarget(env: NodeJS.ProcessEnv = process.env): MysqlTarget {
  const url = new URL(env.MYSQL_URL ?? DEFAULT_MYSQL_URL);
  if (url.protocol !== 'mysql:') throw new Error(`MYSQL_URL must start with mysql:// (got ${url.protocol}//)`);
  const host = url.hostname || '127.0.0.1';
  const target: MysqlTarget = {
    host,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password || ''),
  };
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database) target.database = database;
  if (env.MYSQL_SOCKET) target.socketPath = env.MYSQL_SOCKET;
  const params = url.searchParams;
  const known = new Set(['ssl-mode', 'ssl-ca', 'ssl-cert', 'ssl-key']);
  for (const name of params.keys()) {
    if (!known.has(name)) throw new Error(`MYSQL_URL: unknown parameter ${name} (known: ${[...known].join(', ')})`);
  }
  const loopback = isLoopbackHost(host) || Boolean(target.socketPath);
  const mode = (params.get('ssl-mode') ?? (loopback ? 'DISABLED' : 'VERIFY_IDENTITY')).toUpperCase();
  if (!['DISABLED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY'].includes(mode)) {
    throw new Error(`MYSQL_URL: ssl-mode must be DISABLED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY (got ${mode})`);
  }
  if (mode === 'DISABLED') {
    if (!loopback)
      throw new Error(
        `MYSQL_URL: ssl-mode=DISABLED is refused for ${host}: a remote server is reached over verified TLS only`,
      );
    return target;
  }
  if (mode === 'REQUIRED' && !loopback) {
    throw new Error(
      `MYSQL_URL: ssl-mode=REQUIRED does not verify the server; use VERIFY_IDENTITY (the default) for ${host}`,
    );
  }
  const file = (name: string) => {
    const path = params.get(name);
    return path ? { [name.slice(4)]: readFileSync(path, 'utf8') } : {};
  };
  target.ssl = { rejectUnauthorized: mode !== 'REQUIRED', ...file('ssl-ca'), ...file('ssl-cert'), ...file('ssl-key') };
  return target;
}
