// `npm start`: the whole local edge stack on this machine, until Ctrl-C.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { databaseName } from './config.ts';
import { DEFAULT_DEMO_ROWS } from './dataset.ts';
import { ServiceUnavailableError } from '../etl/targets/local-services.ts';
import {
  LOCAL_API_KEY,
  STACK_FILE,
  isAlive,
  removeStackFile,
  startStack,
  writeStackFile,
  type StackInfo,
} from './stack.ts';
import type { DatasetChoice } from './dataset.ts';
import { choiceOption, intOption, UsageError } from '../kit/cli.ts';

const HELP = `Usage: npm start -- [options]

Brings up the local edge stack: MariaDB and Redis (started if stopped), the '${databaseName()}'
database with the schema files applied on a development branch, the PlanetScale gateway as the
production branch (strict: safe migrations on, PlanetScale's limits) and the Upstash gateway,
demo data through the ETL's production path when no dataset is live, and the production Worker
bundle (built by wrangler) in Miniflare.

Options:
  --port P           API port (default 8787)
  --rows N           (re)load N synthetic rows through the ETL (default when none is live: ${DEFAULT_DEMO_ROWS})
  --input FILE       (re)load a real NHIS CSV (CP949 or UTF-8) through the ETL
  --seed S           seed for --rows (default 2024)
  --runtime R        miniflare (default: the development loop, with its dev proxy) or
                     workerd (plain \`workerd serve\`, as production runs the bundle)
  -h, --help         this text

Environment: API_KEYS (default '${LOCAL_API_KEY}'), MYSQL_URL, MYSQL_SOCKET, REDIS_URL,
NHIS_DATABASE (default 'nhis'). The running stack is described in .local/stack.json.`;

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      rows: { type: 'string' },
      input: { type: 'string' },
      seed: { type: 'string' },
      runtime: { type: 'string', default: 'miniflare' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(HELP);

  const port = intOption(values.port, '--port', 1, 65535)!;
  const runtime = choiceOption(values.runtime, '--runtime', ['miniflare', 'workerd'] as const);
  if (values.rows && values.input) throw new UsageError('use either --rows or --input, not both');
  let dataset: DatasetChoice = { kind: 'if-empty', rows: DEFAULT_DEMO_ROWS };
  if (values.rows !== undefined) {
    const rows = intOption(values.rows, '--rows', 1)!;
    dataset = { kind: 'rows', rows, seed: values.seed ? Number(values.seed) : undefined };
  } else if (values.input !== undefined) {
    if (!existsSync(values.input)) throw new UsageError(`--input: no such file: ${values.input}`);
    dataset = { kind: 'input', path: values.input };
  }

  if (existsSync(STACK_FILE)) {
    const running = JSON.parse(readFileSync(STACK_FILE, 'utf8')) as StackInfo;
    if (isAlive(running.pid)) {
      console.error(
        `The local stack is already running (pid ${running.pid}) at ${running.api.url}; stop it with Ctrl-C first.`,
      );
      process.exitCode = 1;
      return;
    }
    await removeStackFile(); // left behind by a stack that was killed
  }

  // Registered before the stack starts: Miniflare installs exit hooks of its own that end the
  // process on a signal, so ours must run first and do the must-do part synchronously.
  let stack: Awaited<ReturnType<typeof startStack>> | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[start] ${signal}: shutting down`);
    rmSync(STACK_FILE, { force: true });
    void (stack?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  const t0 = Date.now();
  const log = (m: string) => console.log(`[start] ${m}`);
  stack = await startStack({
    database: databaseName(),
    dataset,
    apiPort: port,
    planetscalePort: port + 1,
    upstashPort: port + 2,
    apiKeys: process.env.API_KEYS,
    runtime,
    log,
  });
  await writeStackFile(stack);

  console.log(`
Local edge stack is up (${((Date.now() - t0) / 1000).toFixed(1)} s):
  API                 ${stack.api.url}   (X-API-KEY: ${stack.api.key}; runtime: ${stack.runtime})
  PlanetScale gateway ${new URL(stack.planetscale.url).origin}  (user ${stack.planetscale.username})
  Upstash gateway     ${stack.upstash.url}
  Stack file          ${STACK_FILE}

Try:
  curl ${stack.api.url}/health
  curl -H 'X-API-KEY: ${stack.api.key}' ${stack.api.url}/stats/risk

Ctrl-C to stop.`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ServiceUnavailableError)
    console.error(`npm start: ${(err as Error).message}`);
  else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
    console.error(`npm start: a port is already in use: ${(err as Error).message}. Choose another with --port.`);
  else console.error(`npm start failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
