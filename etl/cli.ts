// `npm run etl -- --input FILE [--replace|--append] [--dry-run] ...` and `--rollback`: loads an NHIS
// 건강검진 CSV into PlanetScale or MySQL through runEtl() and prints its summary. `--help` lists every option.
import { parseArgs } from 'node:util';
import { ensureMariaDb } from './targets/local-services.ts';
import { ensureLocalDatabase } from './targets/local-database.ts';
import { mysqlTarget } from './targets/mysql-url.ts';
import { planetScaleTarget } from './targets/planetscale.ts';
import { isLoopbackTarget } from './targets/connect.ts';
import { resolveApiTarget } from './targets/api-rewarm.ts';
import { parseEncodingOption } from './read/encoding.ts';
import { HeaderError } from './read/header.ts';
import { RUN_LOCK_DEFAULTS } from './dataset/run-lock.ts';
import { ETL_DEFAULTS, rollbackDataset, runEtl, type EtlMode, type EtlTarget } from './run.ts';
import { renderSummary } from './report/summary.ts';
import { UsageError } from '../kit/cli.ts';

const HELP = `Usage: npm run etl -- --input FILE [options]
       npm run etl -- --rollback

Loads an NHIS 건강검진 CSV (any published year's header, CP949 or UTF-8) as a new dataset beside
the live one: every row is stored (invalid ones with their reason), its aggregates and page index
are written, and one UPDATE of the pointer row makes it live. The previous dataset stays until the
next load, so --rollback switches back at once. No DDL, no LOAD DATA, no statement over
PlanetScale's limits on the production path.

Target (the first that is set):
  DATABASE_URL        PlanetScale, with the Worker's own credentials: https://USER:PASSWORD@HOST.
                      Rows go as size-bounded multi-row INSERTs through @planetscale/database.
  MYSQL_URL           a MySQL or MariaDB server (default mysql://root@127.0.0.1:3306), database
                      --database; rows go by LOAD DATA LOCAL INFILE. A remote host is reached over
                      verified TLS (?ssl-mode=VERIFY_IDENTITY, ssl-ca=FILE, ssl-cert, ssl-key).
                      On this machine the server is started if stopped and the database and
                      schema are created; a remote database needs its schema first (npm run schema).

Run semantics:
  (default)           make FILE the dataset; if it already is (same sha256), change nothing
  --replace           reload FILE even if it already is the dataset
  --append            make a dataset of the live one plus FILE (another year); refuses a file
                      the live dataset already holds
  --rollback          make the previous dataset live again (no --input)
  --dry-run           parse and validate, print the summary, write nothing (no database needed)

Options:
  --input FILE        the CSV to load
  --database NAME     MySQL target: database (default: MYSQL_URL's path, $NHIS_DATABASE or nhis)
  --encoding ENC      auto (default), cp949 (alias euc-kr) or utf8
  --workers N         worker threads (default: ${ETL_DEFAULTS.workers})
  --concurrency N     PlanetScale: INSERT statements in flight per worker (default: ${ETL_DEFAULTS.concurrency})
  --statement-bytes N PlanetScale: bytes per INSERT statement (default: ${ETL_DEFAULTS.statementBytes}); suffixes k, m
  --chunk-bytes N     bytes per chunk handed to a worker (default: ${ETL_DEFAULTS.chunkBytes}); suffixes k, m
  --chunk-rows N      rows per chunk instead (converted with the file's mean line length)
  --progress MODE     auto (bar on a TTY, lines otherwise), bar, lines or none
  --lock-ttl S        the run lock lapses S seconds after its last renewal, e.g. when the run
                      was killed (default: ${RUN_LOCK_DEFAULTS.ttlSeconds}; renewed every S/3 while it runs)
  --lock-wait S       wait up to S seconds for another run's lock (default: 0, fail at once)
  --json              print the summary as JSON instead of text
  -h, --help          show this help

After a switch the API's stats are re-warmed through NHIS_API_URL with NHIS_API_KEY when given
(for a database on this machine, also the running npm start's, from .local/stack.json); nothing
needs invalidating, since every cached body is keyed by its dataset.
Exit codes: 0 loaded, unchanged or rolled back; 1 failed; 2 bad usage, file or rollback refused;
130 interrupted.
`;

function size(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(value.trim());
  if (!m) throw new UsageError(`${name} must be a positive number (optionally with k, m or g)`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] as string).toLowerCase() as '' | 'k' | 'm' | 'g'];
  const n = Math.round(Number(m[1]) * mult);
  if (!(n > 0)) throw new UsageError(`${name} must be positive`);
  return n;
}

/** DATABASE_URL (PlanetScale), else MYSQL_URL or the local MariaDB; local services for loopback only. */
async function resolveTarget(
  database: string | undefined,
  dryRun: boolean,
  log: (line: string) => void,
): Promise<EtlTarget> {
  if (process.env.DATABASE_URL) {
    if (database)
      throw new UsageError('--database is for a MySQL target; a PlanetScale DATABASE_URL names its database itself');
    return { kind: 'planetscale', url: planetScaleTarget(process.env.DATABASE_URL).url };
  }
  let mysql = mysqlTarget();
  const name = database ?? mysql.database ?? process.env.NHIS_DATABASE ?? 'nhis';
  const target: EtlTarget = { kind: 'mysql', mysql, database: name };
  if (!dryRun && isLoopbackTarget(target)) {
    mysql = await ensureMariaDb(mysql, log);
    await ensureLocalDatabase(mysql, name);
    return { kind: 'mysql', mysql, database: name };
  }
  return target;
}

const count = (value: string | undefined, name: string, max: number): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1 && n <= max)) throw new UsageError(`${name} must be an integer from 1 to ${max}`);
  return n;
};

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      input: { type: 'string' },
      replace: { type: 'boolean', default: false },
      append: { type: 'boolean', default: false },
      rollback: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      encoding: { type: 'string', default: 'auto' },
      workers: { type: 'string' },
      concurrency: { type: 'string' },
      'statement-bytes': { type: 'string' },
      'chunk-rows': { type: 'string' },
      'chunk-bytes': { type: 'string' },
      database: { type: 'string' },
      progress: { type: 'string', default: 'auto' },
      'lock-ttl': { type: 'string' },
      'lock-wait': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const ttl = count(values['lock-ttl'], '--lock-ttl', 3600);
  const wait = values['lock-wait'] === undefined ? undefined : Number(values['lock-wait']);
  if (wait !== undefined && !(wait >= 0 && wait <= 3600))
    throw new UsageError('--lock-wait must be a number of seconds from 0 to 3600');
  const lock = { ...(ttl ? { ttlSeconds: ttl } : {}), ...(wait !== undefined ? { waitMs: wait * 1000 } : {}) };
  if (values.rollback) {
    if (values.input || values.replace || values.append || values['dry-run'])
      throw new UsageError('--rollback takes no --input, --replace, --append or --dry-run');
    const target = await resolveTarget(values.database, false, log);
    const summary = await rollbackDataset({ target, log, lock, api: resolveApiTarget(isLoopbackTarget(target)) });
    if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return summary.status === 'refused' ? 2 : 0;
  }
  if (!values.input) throw new UsageError('--input FILE is required (or --rollback)');
  if (values.replace && values.append) throw new UsageError('--replace and --append are exclusive');
  if (values['chunk-rows'] && values['chunk-bytes'])
    throw new UsageError('--chunk-rows and --chunk-bytes are exclusive');
  const workers = count(values.workers, '--workers', 64);
  const concurrency = count(values.concurrency, '--concurrency', 64);
  if (!['auto', 'bar', 'lines', 'none'].includes(values.progress as string))
    throw new UsageError('--progress must be auto, bar, lines or none');
  let encoding: ReturnType<typeof parseEncodingOption>;
  try {
    encoding = parseEncodingOption(values.encoding as string);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const mode: EtlMode = values.append ? 'append' : values.replace ? 'replace' : 'auto';
  const dryRun = values['dry-run'] as boolean;
  const target = await resolveTarget(values.database, dryRun, log);
  const abort = new AbortController();
  process.once('SIGINT', () => {
    log('Interrupted: stopping the workers; the live dataset is untouched, and the partial one is removed…');
    abort.abort(new Error('interrupted (SIGINT)'));
  });
  const summary = await runEtl({
    input: values.input,
    target,
    mode,
    dryRun,
    encoding,
    ...(workers ? { workers } : {}),
    ...(concurrency ? { concurrency } : {}),
    ...(values['statement-bytes']
      ? { statementBytes: size(values['statement-bytes'], '--statement-bytes') as number }
      : {}),
    ...(values['chunk-rows'] ? { chunkRows: size(values['chunk-rows'], '--chunk-rows') as number } : {}),
    ...(values['chunk-bytes'] ? { chunkBytes: size(values['chunk-bytes'], '--chunk-bytes') as number } : {}),
    progress: values.progress as 'auto',
    log,
    lock,
    api: dryRun ? null : resolveApiTarget(isLoopbackTarget(target)),
    signal: abort.signal,
  });
  // An unchanged or refused run has already said why through `log`.
  if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (summary.status === 'loaded' || summary.status === 'dry-run')
    process.stdout.write(`${renderSummary(summary)}\n`);
  if (abort.signal.aborted) return 130;
  return summary.status === 'refused' ? 2 : 0;
}

/** A database without the schema answers "table doesn't exist": say how to apply it. */
function schemaHint(message: string): string {
  if (!/doesn't exist|Table '.*' not found|1146/.test(message)) return message;
  return `${message}\nThe database has no schema yet: apply etl/schema/*.sql first (npm run schema prints it; on PlanetScale through a deploy request).`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${HELP}`);
      process.exit(2);
    }
    const e = err as Error;
    process.stderr.write(`ETL failed: ${e instanceof HeaderError ? e.message : schemaHint(e.message ?? String(e))}\n`);
    process.exit(/interrupted/.test(e.message ?? '') ? 130 : 1);
  },
);
