// Local stand-in for the PlanetScale HTTP API: the official @planetscale/database driver talks to it exactly as
// to PlanetScale, and it runs each statement on the real MariaDB through mysql2 (shared/protocols.md Part 1).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHandler, handleClientError } from './planetscale/http-server.ts';
import { createBackend } from './planetscale/mysql-backend.ts';
import { SessionManager } from './planetscale/session-manager.ts';

export interface PlanetScaleGatewayOptions {
  /** Where MariaDB listens; use mysqlTarget() from local/config.ts as the usual source. */
  mysql: { host: string; port: number; user: string; password: string; socketPath?: string };
  /** Default schema for every connection. */
  database: string;
  /** Credentials clients must present (Basic auth); neither may be empty. */
  username: string;
  password: string;
  /** 0 or undefined = ephemeral. The gateway listens on 127.0.0.1 only. */
  port?: number;
  /** Rows one result may have before "Row count exceeded"; default 100 000, PlanetScale's OLTP limit. */
  maxRows?: number;
  /** Idle time after which a pinned connection is rolled back and closed; default 10 000 (ps-http-sim). */
  sessionIdleMs?: number;
  /** Reject a second concurrent request on one session with 403, as ps-http-sim does; default false (queue). */
  strictSessions?: boolean;
  /** MariaDB connections shared by all sessions (pinned ones included); default 8. */
  poolSize?: number;
}

export interface RunningGateway {
  /** `http://user:pass@127.0.0.1:PORT`, ready for `connect({ url })`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

const DEFAULTS = { maxRows: 100_000, sessionIdleMs: 10_000, strictSessions: false, poolSize: 8 };

export async function startPlanetScaleGateway(opts: PlanetScaleGatewayOptions): Promise<RunningGateway> {
  if (!opts.username || !opts.password) {
    throw new Error('PlanetScale gateway: username and password must be non-empty (PlanetScale rejects blank ones)');
  }
  if (!opts.database) throw new Error('PlanetScale gateway: `database` is required (the default schema)');
  const settings = {
    maxRows: opts.maxRows ?? DEFAULTS.maxRows,
    sessionIdleMs: opts.sessionIdleMs ?? DEFAULTS.sessionIdleMs,
    strictSessions: opts.strictSessions ?? DEFAULTS.strictSessions,
    poolSize: opts.poolSize ?? DEFAULTS.poolSize,
  };

  const backend = createBackend(opts.mysql, opts.database, settings.poolSize);
  const sessions = new SessionManager(backend, { database: opts.database, ...settings });
  const server = createServer(createHandler(sessions, { username: opts.username, password: opts.password }));
  server.on('clientError', handleClientError);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await backend.end();
    throw err;
  });

  const port = (server.address() as AddressInfo).port;
  const userinfo = `${encodeURIComponent(opts.username)}:${encodeURIComponent(opts.password)}`;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${userinfo}@127.0.0.1:${port}`,
    port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections(); // keep-alive sockets from fetch would otherwise hold close() open
        await sessions.close();
        await backend.end();
        await stopped;
      })();
      return closing;
    },
  };
}
