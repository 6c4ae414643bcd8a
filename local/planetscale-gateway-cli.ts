// Runs the local PlanetScale HTTP API gateway by hand:
//   node --import tsx local/planetscale-gateway-cli.ts --port 8080 --database nhis
import { parseArgs } from 'node:util';
import { databaseName, mysqlTarget } from './config.ts';
import { startPlanetScaleGateway } from './planetscale-gateway.ts';

const HELP = `Usage: node --import tsx local/planetscale-gateway-cli.ts [options]

Serves the PlanetScale HTTP API (what @planetscale/database calls) on 127.0.0.1 and runs every statement
on the local MariaDB (MYSQL_URL, default mysql://root@127.0.0.1:3306; MYSQL_SOCKET for a unix socket).
Statements PlanetScale refuses (LOAD DATA, CREATE/DROP DATABASE, SET GLOBAL, unknown session variables,
stored routines, FOREIGN KEY, GET_LOCK, LOCK TABLES) get PlanetScale's error, and its system limits apply.

Options:
  --port N                    port to listen on (default 8080; 0 picks a free one)
  --database NAME             default schema (default: NHIS_DATABASE or "nhis")
  --username NAME             user clients must send (default "local")
  --password SECRET           password clients must send, not empty (default "local")
  --safe-migrations on|off    on: a production branch, every DDL refused with "direct DDL is disabled"
                              (default on); off: a development branch that applies schema changes
  --branch NAME               branch name in CreateSession replies (default main, or development when off)
  --max-rows N                rows one result may return (default 100000)
  --max-dml-rows N            rows one INSERT/UPDATE/DELETE may change, else rolled back (default 100000)
  --dml-timeout-ms N          longest INSERT/UPDATE/DELETE (default 30000)
  --transaction-timeout-ms N  longest open transaction before it is rolled back (default 20000)
  --max-result-bytes N        row bytes one result may carry (default 67108864, 64 MiB)
                              (0 turns a limit off)
  --help                      show this text

Test controls on the same port, behind the same Basic auth (database-js never calls these paths):
  POST   /__gateway/faults   {"code":"UNAVAILABLE|RESOURCE_EXHAUSTED|DEADLINE_EXCEEDED|ABORTED",
                              "count":N, "durationMs":N, "match":"<regexp>", "matchFlags":"i",
                              "delayMs":N, "message":"..."}   inject a transient error and/or hold statements
  GET    /__gateway/faults   active faults          DELETE /__gateway/faults   clear them
  GET    /__gateway/stats    statements, refusals by rule, classification time

Prints the URL to pass to connect({ url }) and runs until Ctrl-C.`;

const LIMITS = {
  'max-rows': 'maxRows',
  'max-dml-rows': 'maxDmlRows',
  'dml-timeout-ms': 'dmlTimeoutMs',
  'transaction-timeout-ms': 'transactionTimeoutMs',
  'max-result-bytes': 'maxResultBytes',
} as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      database: { type: 'string', default: databaseName() },
      username: { type: 'string', default: 'local' },
      password: { type: 'string', default: 'local' },
      'safe-migrations': { type: 'string', default: 'on' },
      branch: { type: 'string' },
      ...Object.fromEntries(Object.keys(LIMITS).map((flag) => [flag, { type: 'string' as const }])),
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  const safe = values['safe-migrations'];
  if (safe !== 'on' && safe !== 'off') throw new Error(`--safe-migrations must be on or off, got "${safe}"`);
  const limits: Record<string, number> = {};
  for (const [flag, option] of Object.entries(LIMITS)) {
    const raw = (values as Record<string, unknown>)[flag];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be an integer >= 0, got "${String(raw)}"`);
    limits[option] = n;
  }

  const gateway = await startPlanetScaleGateway({
    mysql: mysqlTarget(),
    database: values.database,
    username: values.username,
    password: values.password,
    port,
    safeMigrations: safe === 'on',
    ...(values.branch ? { branch: values.branch } : {}),
    ...limits,
  });
  console.log(gateway.url);

  const stop = () => {
    gateway.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`planetscale-gateway: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
