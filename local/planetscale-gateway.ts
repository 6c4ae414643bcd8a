// Local stand-in for the PlanetScale HTTP API: the official @planetscale/database driver talks to it exactly as
// to PlanetScale, and it runs each statement on the real MariaDB through mysql2 (docs/protocols.md#planetscale-http-api).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulatedNetwork, type LatencyProfile, type SimulatedNetwork } from './network.ts';
import { FaultInjector } from './planetscale/faults.ts';
import type { FaultInfo, FaultSpec } from './planetscale/faults.ts';
import { createHandler, handleClientError } from './planetscale/http-server.ts';
import { createBackend } from './planetscale/mysql-backend.ts';
import { SessionManager } from './planetscale/session-manager.ts';
import { StatementLog } from './planetscale/statement-log.ts';
import type { GatewayStats, StatementListener, StatementLogEntry } from './planetscale/statement-log.ts';
import { parserCounters } from './planetscale/ddl-rules.ts';
import { scanCounters } from './planetscale/sql-scan.ts';

export type { FaultInfo, FaultSpec, GatewayStats, StatementLogEntry };

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
  /**
   * Production branch with safe migrations (default true): every DDL but temporary tables is refused with
   * "direct DDL is disabled". false = a development branch, where schema changes are applied.
   */
  safeMigrations?: boolean;
  /**
   * The password's role (PlanetScale: admin, reader, writer, readwriter). "reader" refuses every
   * statement that writes, as a read-only password does; default "admin".
   */
  role?: 'admin' | 'reader';
  /** Branch name in CreateSession replies; default "main" (safe migrations) or "development". */
  branch?: string;
  // Limits from https://planetscale.com/docs/reference/planetscale-system-limits; 0 turns one off.
  /** Rows one result may have before "Row count exceeded"; default 100 000, PlanetScale's OLTP limit. */
  maxRows?: number;
  /** Rows one INSERT/REPLACE/UPDATE/DELETE may change (it is rolled back past that); default 100 000. */
  maxDmlRows?: number;
  /** Longest an INSERT/REPLACE/UPDATE/DELETE may run; default 30 000 ("Per-query DML timeout 30s"). */
  dmlTimeoutMs?: number;
  /** Longest a transaction may stay open before it is rolled back; default 20 000 ("Per-transaction timeout 20s"). */
  transactionTimeoutMs?: number;
  /** Row bytes one result may carry; default 64 MiB ("Per-query result set total size 64 MiB"). */
  maxResultBytes?: number;
  /** Called after every Execute with what the gateway did (also kept: `statements()`). */
  onStatement?: StatementListener;
  /** Entries `statements()` keeps, most recent last; default 1000 (0 = none). */
  statementLogSize?: number;
  /** Idle time after which a pinned connection is rolled back and closed; default 10 000 (ps-http-sim). */
  sessionIdleMs?: number;
  /** Reject a second concurrent request on one session with 403, as ps-http-sim does; default false (queue). */
  strictSessions?: boolean;
  /** MariaDB connections shared by all sessions (pinned ones included); default 8. */
  poolSize?: number;
  /** The round trip from the Worker's edge to the database region (local/network.ts); default none. */
  latency?: LatencyProfile;
}

export interface RunningGateway {
  /** `http://user:pass@127.0.0.1:PORT`, ready for `connect({ url })`. */
  url: string;
  port: number;
  branch: string;
  safeMigrations: boolean;
  /** Transient Vitess errors and held statements for fault tests (also over HTTP: POST /__gateway/faults). */
  faults: {
    inject(spec: FaultSpec): FaultInfo;
    clear(): number;
    list(): FaultInfo[];
  };
  /** Running totals, with the gateway's own classification cost, parser calls and whole-statement scans. */
  stats(): GatewayStats & { faultsApplied: number; parserCalls: number; fullScans: number };
  /** The most recent Execute log entries, oldest first. */
  statements(): StatementLogEntry[];
  /** Empties the log and zeroes `stats()` (parser and scan counters are process-wide and keep counting). */
  resetStats(): void;
  /** The simulated network in front of it: its latency profile and each request's trip. */
  network: Pick<SimulatedNetwork, 'setLatency' | 'latency' | 'trips'>;
  close(): Promise<void>;
}

const MIB = 1024 * 1024;
const DEFAULTS = {
  safeMigrations: true,
  maxRows: 100_000,
  maxDmlRows: 100_000,
  dmlTimeoutMs: 30_000,
  transactionTimeoutMs: 20_000,
  maxResultBytes: 64 * MIB,
  sessionIdleMs: 10_000,
  strictSessions: false,
  poolSize: 8,
  statementLogSize: 1000,
};

export async function startPlanetScaleGateway(opts: PlanetScaleGatewayOptions): Promise<RunningGateway> {
  if (!opts.username || !opts.password) {
    throw new Error('PlanetScale gateway: username and password must be non-empty (PlanetScale rejects blank ones)');
  }
  if (!opts.database) throw new Error('PlanetScale gateway: `database` is required (the default schema)');
  const settings = { ...DEFAULTS, ...definedOnly(opts) };
  const branch = opts.branch ?? (settings.safeMigrations ? 'main' : 'development');
  const limits = {
    maxRows: settings.maxRows,
    maxDmlRows: settings.maxDmlRows,
    dmlTimeoutMs: settings.dmlTimeoutMs,
    maxResultBytes: settings.maxResultBytes,
  };
  for (const [name, value] of Object.entries({ ...limits, transactionTimeoutMs: settings.transactionTimeoutMs })) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`PlanetScale gateway: ${name} must be a number >= 0`);
  }

  const faults = new FaultInjector(opts.database, opts.username);
  const log = new StatementLog(settings.statementLogSize, opts.onStatement);
  const backend = createBackend(opts.mysql, opts.database, settings.poolSize);
  const sessions = new SessionManager(backend, {
    database: opts.database,
    username: opts.username,
    sessionIdleMs: settings.sessionIdleMs,
    strictSessions: settings.strictSessions,
    safeMigrations: settings.safeMigrations,
    role: opts.role ?? 'admin',
    transactionTimeoutMs: settings.transactionTimeoutMs,
    limits,
    faults,
    log,
  });
  const stats = () => ({
    ...log.stats(),
    faultsApplied: faults.applied,
    parserCalls: parserCounters.calls,
    fullScans: scanCounters.fullScans,
  });
  const handler = createHandler(
    sessions,
    { username: opts.username, password: opts.password },
    { branch, faults, stats },
  );
  const network = createSimulatedNetwork(opts.latency);
  const server = createServer(network.wrap(handler, '/__gateway/'));
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
    branch,
    safeMigrations: settings.safeMigrations,
    faults: {
      inject: (spec) => faults.inject(spec),
      clear: () => faults.clear(),
      list: () => faults.list(),
    },
    stats,
    statements: () => log.entries(),
    resetStats: () => {
      log.reset();
      faults.applied = 0;
    },
    network,
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

/** The options that were given (an explicit `undefined` must not override a default). */
function definedOnly<T extends object>(opts: T): Partial<T> {
  return Object.fromEntries(Object.entries(opts).filter(([, value]) => value !== undefined)) as Partial<T>;
}
