// `npm run etl -- --input FILE [--replace|--append] [--dry-run] ...`: loads an NHIS 건강검진 CSV
// into MariaDB through runEtl() and prints its summary. `--help` lists every option.
import { parseArgs } from 'node:util';
import { databaseName, mysqlTarget } from '../local/config.ts';
import { ensureMariaDb } from './targets/local-services.ts';
import { resolveCacheTargets } from './cache.ts';
import { parseEncodingOption } from './read/encoding.ts';
import { HeaderError } from './read/header.ts';
import { ETL_DEFAULTS, runEtl, type EtlMode } from './run.ts';
import { renderSummary } from './report/summary.ts';

const HELP = `Usage: npm run etl -- --input FILE [options]

Loads an NHIS 건강검진 CSV (any published year's header, CP949 or UTF-8) into MariaDB: every row
is stored (invalid ones with their reason), aggregates are rebuilt, and the new dataset replaces
the old one in a single atomic swap. Then the API's cached stats are invalidated and re-warmed.

Run semantics:
  (default)           make FILE the dataset; if it already is (same sha256), change nothing
  --replace           reload FILE even if it already is the dataset
  --append            add FILE (another year) to the dataset; refuses a file already loaded
  --dry-run           parse and validate, print the summary, write nothing (no database needed)

Options:
  --input FILE        the CSV to load (required)
  --database NAME     target database (default: $NHIS_DATABASE or nhis)
  --encoding ENC      auto (default), cp949 (alias euc-kr) or utf8
  --workers N         worker threads, each with its own connection (default: ${ETL_DEFAULTS.workers})
  --chunk-bytes N     bytes per chunk handed to a worker (default: ${ETL_DEFAULTS.chunkBytes}); suffixes k, m
  --chunk-rows N      rows per chunk instead (converted with the file's mean line length)
  --indexes WHEN      during (default): keep the secondary indexes while the workers load in
                      parallel; after: build them in one ALTER after the load (one core)
  --progress MODE     auto (bar on a TTY, lines otherwise), bar, lines or none
  --json              print the summary as JSON instead of text
  -h, --help          show this help

Environment: MYSQL_URL, MYSQL_SOCKET (server), NHIS_DATABASE; UPSTASH_REDIS_REST_URL and
UPSTASH_REDIS_REST_TOKEN, NHIS_API_URL and NHIS_API_KEY (cache refresh; else .local/stack.json).
Exit codes: 0 loaded or unchanged, 1 failed, 2 bad usage or file refused, 130 interrupted.
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

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      input: { type: 'string' },
      replace: { type: 'boolean', default: false },
      append: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      encoding: { type: 'string', default: 'auto' },
      workers: { type: 'string' },
      'chunk-rows': { type: 'string' },
      'chunk-bytes': { type: 'string' },
      indexes: { type: 'string', default: ETL_DEFAULTS.indexes },
      database: { type: 'string' },
      progress: { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.input) throw new UsageError('--input FILE is required');
  if (values.replace && values.append) throw new UsageError('--replace and --append are exclusive');
  if (values['chunk-rows'] && values['chunk-bytes']) throw new UsageError('--chunk-rows and --chunk-bytes are exclusive');
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 1 && workers <= 64)) throw new UsageError('--workers must be an integer from 1 to 64');
  if (values.indexes !== 'after' && values.indexes !== 'during') throw new UsageError('--indexes must be after or during');
  if (!['auto', 'bar', 'lines', 'none'].includes(values.progress as string)) throw new UsageError('--progress must be auto, bar, lines or none');
  let encoding;
  try {
    encoding = parseEncodingOption(values.encoding as string);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const mode: EtlMode = values.append ? 'append' : values.replace ? 'replace' : 'auto';
  const dryRun = values['dry-run'] as boolean;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const target = dryRun ? mysqlTarget() : await ensureMariaDb(mysqlTarget(), log);
  const cache = resolveCacheTargets();
  const abort = new AbortController();
  process.once('SIGINT', () => {
    log('Interrupted: stopping workers and dropping staging tables (the current dataset is untouched)…');
    abort.abort(new Error('interrupted (SIGINT)'));
  });
  const summary = await runEtl({
    input: values.input,
    mysql: target,
    database: values.database ?? databaseName(),
    mode,
    dryRun,
    encoding,
    ...(workers ? { workers } : {}),
    ...(values['chunk-rows'] ? { chunkRows: size(values['chunk-rows'], '--chunk-rows') as number } : {}),
    ...(values['chunk-bytes'] ? { chunkBytes: size(values['chunk-bytes'], '--chunk-bytes') as number } : {}),
    indexes: values.indexes,
    progress: values.progress as 'auto',
    log,
    upstash: cache.upstash,
    api: cache.api,
    signal: abort.signal,
  });
  // An unchanged or refused run has already said why through `log`.
  if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (summary.status === 'loaded' || summary.status === 'dry-run') process.stdout.write(`${renderSummary(summary)}\n`);
  if (abort.signal.aborted) return 130;
  return summary.status === 'refused' ? 2 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${HELP}`);
      process.exit(2);
    }
    const e = err as Error;
    process.stderr.write(`ETL failed: ${e instanceof HeaderError ? e.message : (e.message ?? String(e))}\n`);
    process.exit(/interrupted/.test(e.message ?? '') ? 130 : 1);
  },
);
