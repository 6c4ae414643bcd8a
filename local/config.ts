// Where the local MariaDB and Redis live. Every default can be overridden by env, so machines
// whose MariaDB allows root only over the unix socket still work (MYSQL_SOCKET).
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  socketPath?: string;
}

/** MYSQL_URL (default mysql://root@127.0.0.1:3306) and MYSQL_SOCKET (optional unix socket). */
export function mysqlTarget(env: NodeJS.ProcessEnv = process.env): MysqlTarget {
  const url = new URL(env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
  const target: MysqlTarget = {
    host: url.hostname || '127.0.0.1',
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password || ''),
  };
  if (env.MYSQL_SOCKET) target.socketPath = env.MYSQL_SOCKET;
  return target;
}

/** REDIS_URL, default redis://127.0.0.1:6379. */
export function redisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** The database the project owns; tests use their own (see test/global-setup.ts). */
export function databaseName(env: NodeJS.ProcessEnv = process.env): string {
  return env.NHIS_DATABASE ?? 'nhis';
}
