// Makes sure MariaDB and Redis are reachable: starts them when installed but stopped, and
// stops with a message naming the install command when they are missing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection as netConnect } from 'node:net';
import mysql from 'mysql2/promise';
import { mysqlTarget, type MysqlTarget } from './mysql-url.ts';

/** REDIS_URL, default redis://127.0.0.1:6379. */
export function redisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

const DEFAULT_SOCKETS = ['/run/mysqld/mysqld.sock', '/var/run/mysqld/mysqld.sock', '/tmp/mysql.sock'];

export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function which(names: string[]): string | undefined {
  for (const name of names) {
    if (name.startsWith('/')) {
      if (existsSync(name)) return name;
      continue;
    }
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return undefined;
}

async function tryMysql(target: MysqlTarget): Promise<MysqlTarget | Error> {
  try {
    const conn = await mysql.createConnection({ ...target, connectTimeout: 2000 });
    await conn.query('SELECT 1');
    await conn.end();
    return target;
  } catch (err) {
    return err as Error;
  }
}

/**
 * Finds a working way to reach MariaDB as the configured user: TCP first, then the unix socket
 * (some installs allow root only there). Returns the target that worked.
 */
async function reachMysql(target: MysqlTarget): Promise<MysqlTarget | Error> {
  const tcp = await tryMysql(target);
  if (!(tcp instanceof Error)) return tcp;
  for (const socketPath of target.socketPath ? [target.socketPath] : DEFAULT_SOCKETS) {
    if (!existsSync(socketPath)) continue;
    const viaSocket = await tryMysql({ ...target, socketPath });
    if (!(viaSocket instanceof Error)) return viaSocket;
  }
  return tcp;
}

function isRefused(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'ETIMEDOUT';
}

/** Ensures MariaDB answers; starts it when installed but stopped. Returns the working target. */
export async function ensureMariaDb(
  target: MysqlTarget = mysqlTarget(),
  log: (m: string) => void = () => {},
): Promise<MysqlTarget> {
  let reached = await reachMysql(target);
  if (!(reached instanceof Error)) return reached;
  if (!isRefused(reached)) {
    throw new ServiceUnavailableError(
      `MariaDB at ${target.host}:${target.port} refused user '${target.user}': ${reached.message}. ` +
        'Set MYSQL_URL=mysql://user:password@host:port (or MYSQL_SOCKET=/path/to/mysqld.sock).',
    );
  }
  const daemon = which(['/usr/sbin/mariadbd', '/usr/sbin/mysqld', 'mariadbd', 'mysqld']);
  if (!daemon) {
    throw new ServiceUnavailableError(
      'MariaDB is not installed and nothing answers on ' +
        `${target.host}:${target.port}. Install it with: apt-get install -y mariadb-server ` +
        '(or point MYSQL_URL at a running MySQL-compatible server).',
    );
  }
  log(`MariaDB is not running; starting ${daemon}`);
  const ssd = which(['start-stop-daemon']);
  if (ssd) spawnSync(ssd, ['--start', '--oknodo', '--background', '--exec', daemon], { stdio: 'ignore' });
  else spawn(daemon, [], { detached: true, stdio: 'ignore' }).unref();
  for (let i = 0; i < 60; i++) {
    await sleep(500);
    reached = await reachMysql(target);
    if (!(reached instanceof Error)) return reached;
  }
  throw new ServiceUnavailableError(`Started ${daemon} but MariaDB did not answer within 30 s: ${reached.message}`);
}

function redisPing(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const sock = netConnect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => done(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')));
  });
}

/** Ensures Redis answers at REDIS_URL; starts redis-server when installed but stopped. */
export async function ensureRedis(url: string = redisUrl(), log: (m: string) => void = () => {}): Promise<string> {
  if (await redisPing(url)) return url;
  const server = which(['redis-server', '/usr/bin/redis-server', '/usr/sbin/redis-server']);
  if (!server) {
    throw new ServiceUnavailableError(
      `Redis is not installed and nothing answers at ${url}. Install it with: apt-get install -y redis-server ` +
        '(or set REDIS_URL to a running Redis).',
    );
  }
  const { hostname, port } = new URL(url);
  log(`Redis is not running; starting ${server}`);
  spawnSync(
    server,
    [
      '--daemonize',
      'yes',
      '--bind',
      hostname || '127.0.0.1',
      '--port',
      port || '6379',
      '--save',
      '',
      '--appendonly',
      'no',
    ],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 40; i++) {
    await sleep(250);
    if (await redisPing(url)) return url;
  }
  throw new ServiceUnavailableError(`Started ${server} but Redis did not answer at ${url} within 10 s`);
}
