// Runs the local PlanetScale HTTP API gateway by hand:
//   node --import tsx local/planetscale-gateway-cli.ts --port 8080 --database nhis
import { parseArgs } from 'node:util';
import { databaseName, mysqlTarget } from './config.ts';
import { startPlanetScaleGateway } from './planetscale-gateway.ts';

const HELP = `Usage: node --import tsx local/planetscale-gateway-cli.ts [options]

Serves the PlanetScale HTTP API (what @planetscale/database calls) on 127.0.0.1 and runs every statement
on the local MariaDB (MYSQL_URL, default mysql://root@127.0.0.1:3306; MYSQL_SOCKET for a unix socket).

Options:
  --port N           port to listen on (default 8080; 0 picks a free one)
  --database NAME    default schema (default: NHIS_DATABASE or "nhis")
  --username NAME    user clients must send (default "local")
  --password SECRET  password clients must send, not empty (default "local")
  --help             show this text

Prints the URL to pass to connect({ url }) and runs until Ctrl-C.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      database: { type: 'string', default: databaseName() },
      username: { type: 'string', default: 'local' },
      password: { type: 'string', default: 'local' },
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

  const gateway = await startPlanetScaleGateway({
    mysql: mysqlTarget(),
    database: values.database,
    username: values.username,
    password: values.password,
    port,
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
