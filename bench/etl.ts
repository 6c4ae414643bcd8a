// `npm run bench:etl -- --rows 1000000`: the ETL's two write paths against a bare LOAD DATA LOCAL
// INFILE of the same CSV on the same MariaDB, side by side; prints the figures and goals, writes bench/reports/etl.json.
import { mkdir, stat } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { intOption, UsageError, writeAtomic } from '../kit/cli.ts';
import { ETL_DEFAULTS } from '../etl/options.ts';
import { ensureMariaDb } from '../etl/targets/local-services.ts';
import { mysqlTarget } from '../etl/targets/mysql-url.ts';
import { mysqlLeg, productionLeg, type LegContext } from './etl/legs.ts';
import { bareLoad, csvFor, dropDatabase, serverSettings } from './etl/mariadb.ts';
import { mariadbPid } from './etl/proc.ts';
import { floorLeg, removeStatements, writeStatements } from './etl/insert-floor.ts';
import { goals, GOALS, medianOf, median, renderResult, summarizeFloor, summarizeLeg, verdict } from './etl/summary.ts';
import type { EtlReport, Round, RowsResult } from './etl/types.ts';

const ROOT = join(import.meta.dirname, '..');
const LEGS = ['text', 'production', 'mysql', 'floor', 'replace'] as const;

const HELP = `Usage: npm run bench:etl -- [options]

Measures, per row count, on this machine's MariaDB (MYSQL_URL, default mysql://root@127.0.0.1:3306):
  a. bare LOAD DATA LOCAL INFILE of the CSV into an empty raw table, typed as health_records
     (the reference of every ratio) and as text ("text": no conversion at all);
  b. "production": the ETL CLI with DATABASE_URL pointing at the local PlanetScale gateway
     (local/planetscale-gateway-cli.ts, its defaults), each its own child process: multi-row INSERTs;
  c. "mysql": the ETL CLI over the MySQL protocol (--database): LOAD DATA LOCAL INFILE per chunk;
  d. "floor": the production path's own INSERT statements, made beforehand (untimed), replayed
     straight into MariaDB over as many connections as the ETL keeps in flight: what the database
     alone spends on them, the floor under the production path.
Each ETL leg loads into a fresh database (dropped, recreated, schema applied): a first load. Rounds
alternate the order of the legs; InnoDB is let settle between legs. Then, once per row count,
"replace": two --replace loads into the production-path database (onto one dataset, then the
steady state onto two, which removes the previous-but-one): time until live, and cleanup apart.

Reported per leg: end-to-end ms (the summary's totalMs; median of the rounds), its ratio to the
bare loads (median of per-round ratios), peak RSS of the ETL process (workers included), CPU
seconds of the ETL, of MariaDB (/proc/<mariadbd pid>/stat) and of the gateway, statements the
gateway ran (its /__gateway/stats, else MariaDB's Com_insert delta) and gateway CPU per statement.
Each step also records InnoDB's checkpoint age when it started (redo it may have to flush).
Goals: production ≤ ${GOALS.ratio.production.toFixed(1)}× bare typed, mysql ≤ ${GOALS.ratio.mysql.toFixed(1)}×, peak RSS < ${GOALS.peakRssMb} MB, and flat
(≤ +${GOALS.rssGrowth * 100} %) from the smallest to the largest row count when two are measured. Server settings are
read and recorded, never changed. Writes bench/reports/etl.json (PERFORMANCE.md quotes it).

Options:
  --rows N[,N…]         row counts, each a generated CSV kept under .local/bench (default 1000000)
  --rounds N            rounds per row count (default 3)
  --legs L[,L…]         what to measure besides bare typed: ${LEGS.join(', ')} (default: all)
  --seed S              generator seed (default bench)
  --database NAME       base name, must start with nhis_bench (default nhis_bench): bare loads in
                        NAME, the production path in NAME_ps, the MySQL path in NAME_mysql, the
                        floor in NAME_floor (each created for its leg and dropped after it)
  --workers N           ETL --workers (default: the ETL's)
  --chunk-bytes N       ETL --chunk-bytes (default: the ETL's)
  --concurrency N       ETL --concurrency, production path only (default: the ETL's)
  --statement-bytes N   ETL --statement-bytes, production path only (default: the ETL's)
  --cpu-prof DIR        run the ETL and gateway processes under node --cpu-prof: one profile per
                        thread in DIR/etl-production, DIR/etl-mysql and DIR/gateway
  --out FILE            where to write the JSON (default bench/reports/etl.json)
  -h, --help            show this help

Exit status: 0 measured and written, 1 failed, 2 bad usage.`;

function options() {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: '1000000' },
      rounds: { type: 'string', default: '3' },
      legs: { type: 'string', default: LEGS.join(',') },
      seed: { type: 'string', default: 'bench' },
      database: { type: 'string', default: 'nhis_bench' },
      workers: { type: 'string' },
      'chunk-bytes': { type: 'string' },
      concurrency: { type: 'string' },
      'statement-bytes': { type: 'string' },
      'cpu-prof': { type: 'string' },
      out: { type: 'string', default: join(ROOT, 'bench', 'reports', 'etl.json') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const rows = values.rows.split(',').map((n) => intOption(n, '--rows', 1)!);
  const legs = new Set(values.legs.split(',').filter(Boolean));
  for (const l of legs)
    if (!(LEGS as readonly string[]).includes(l))
      throw new UsageError(`--legs: unknown leg ${l} (known: ${LEGS.join(', ')})`);
  if (!/^nhis_bench\w*$/.test(values.database)) throw new UsageError('--database must start with nhis_bench');
  const pass = (name: 'workers' | 'chunk-bytes' | 'concurrency' | 'statement-bytes') =>
    values[name] ? [`--${name}`, values[name] as string] : [];
  return {
    ...values,
    rows,
    rounds: intOption(values.rounds, '--rounds', 1)!,
    legs,
    args: [...pass('workers'), ...pass('chunk-bytes')],
    productionArgs: [...pass('concurrency'), ...pass('statement-bytes')],
    /** The floor's statements and connections follow the production path's settings. */
    statementBytes: intOption(values['statement-bytes'], '--statement-bytes', 1) ?? ETL_DEFAULTS.statementBytes,
    floorConnections:
      (intOption(values.workers, '--workers', 1) ?? ETL_DEFAULTS.workers) *
      (intOption(values.concurrency, '--concurrency', 1) ?? ETL_DEFAULTS.concurrency),
  };
}

type Options = ReturnType<typeof options>;

async function measureRows(ctx: LegContext, o: Options, rows: number): Promise<RowsResult> {
  const [db, psDb, myDb, floorDb] = [o.database, `${o.database}_ps`, `${o.database}_mysql`, `${o.database}_floor`];
  const statementsFile = `${ctx.file}.inserts`;
  if (o.legs.has('floor')) {
    const made = await writeStatements(ctx.file, statementsFile, o.statementBytes);
    console.log(
      `INSERT floor: ${made.statements} statements of ${made.rows.toLocaleString('en-US')} rows made → ${statementsFile}`,
    );
  }
  const runs: Round[] = [];
  for (let r = 0; r < o.rounds; r++) {
    // Alternate the order so no leg always follows another's background flushing.
    const order = [
      'bare',
      ...(o.legs.has('production') ? ['production'] : []),
      ...(o.legs.has('mysql') ? ['mysql'] : []),
      ...(o.legs.has('floor') ? ['floor'] : []),
    ];
    if (r % 2 === 1) order.reverse();
    const round: Partial<Round> = { order };
    for (const leg of order) {
      if (leg === 'bare') {
        const bare = (x: Awaited<ReturnType<typeof bareLoad>>) => ({
          ms: Math.round(x.ms),
          mariadbCpuS: x.cpuS,
          redoMb: x.redoMb,
          settled: x.settled,
        });
        round.bareTyped = bare(await bareLoad(ctx.target, db, ctx.file, true, ctx.mariadbPid));
        round.bareText = o.legs.has('text')
          ? bare(await bareLoad(ctx.target, db, ctx.file, false, ctx.mariadbPid))
          : { ms: NaN, mariadbCpuS: null, redoMb: NaN, settled: null };
      } else if (leg === 'production') {
        round.production = await productionLeg(ctx, psDb, true);
        // Dropped at once (its dirty pages are discarded, not flushed during a later leg), but for the
        // last round's when the replace loads follow: they load onto it.
        if (!(o.legs.has('replace') && r === o.rounds - 1)) await dropDatabase(ctx.admin, psDb);
      } else if (leg === 'mysql') {
        round.mysql = await mysqlLeg(ctx, myDb);
        await dropDatabase(ctx.admin, myDb);
      } else {
        round.floor = await floorLeg(
          ctx.target,
          ctx.admin,
          floorDb,
          statementsFile,
          ctx.mariadbPid,
          o.floorConnections,
        );
        await dropDatabase(ctx.admin, floorDb);
      }
    }
    round.loadavg = loadavg()[0] as number;
    runs.push(round as Round);
  }
  await removeStatements(statementsFile);
  let replace: RowsResult['replace'];
  if (o.legs.has('replace')) {
    if (!o.legs.has('production')) await productionLeg(ctx, psDb, true); // the first dataset
    const second = await productionLeg(ctx, psDb, false);
    replace = { second, steady: await productionLeg(ctx, psDb, false) };
    await dropDatabase(ctx.admin, psDb);
  }
  // RSS samples (every 100 ms) of the last round only, to show the curve is flat.
  for (const [i, run] of runs.entries())
    for (const leg of [run.production, run.mysql]) if (leg && i < runs.length - 1) delete leg.rssSamplesMb;
  if (replace) for (const leg of [replace.second, replace.steady]) delete leg.rssSamplesMb;
  return {
    rows,
    fileMiB: +((await stat(ctx.file)).size / 1048576).toFixed(1),
    rounds: runs.length,
    median: {
      bareTypedMs: median(runs.map((r) => r.bareTyped.ms)),
      bareTextMs: median(runs.map((r) => r.bareText.ms)),
      bareTypedMariadbCpuS: medianOf(runs.map((r) => r.bareTyped.mariadbCpuS)),
    },
    legs: {
      ...(o.legs.has('production') ? { production: summarizeLeg(runs, 'production') } : {}),
      ...(o.legs.has('mysql') ? { mysql: summarizeLeg(runs, 'mysql') } : {}),
    },
    ...(o.legs.has('floor') ? { floor: summarizeFloor(runs) } : {}),
    ...(replace ? { replace } : {}),
    runs,
  };
}

async function main() {
  if (process.argv.includes('--help') || process.argv.includes('-h')) return console.log(HELP);
  const o = options();
  const target = await ensureMariaDb(mysqlTarget());
  const admin = await mysql.createConnection({ ...target });
  await admin.query(`CREATE DATABASE IF NOT EXISTS \`${o.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const server = await serverSettings(admin);
  const pid = mariadbPid();
  console.log(
    `MariaDB ${server.version} (pid ${pid ?? 'not on this machine: no server CPU'}): ${Object.entries(server)
      .filter(([k]) => k !== 'version')
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
  );
  const results: RowsResult[] = [];
  for (const rows of o.rows) {
    const file = await csvFor(ROOT, rows, o.seed);
    const ctx: LegContext = {
      root: ROOT,
      target,
      admin,
      mariadbPid: pid,
      file,
      args: o.args,
      productionArgs: o.productionArgs,
      profileDir: o['cpu-prof'],
    };
    const result = await measureRows(ctx, o, rows);
    results.push(result);
    console.log(renderResult(result));
  }
  await admin.end();
  const judged = goals(results);
  console.log(
    `goals\n${judged.map((g) => `  ${verdict(g.pass).padEnd(12)} ${g.criterion}: ${g.measured}`).join('\n')}`,
  );
  const report: EtlReport = {
    date: new Date().toISOString(),
    machine: { cpus: availableParallelism(), node: process.version, mariadb: server.version as string },
    server,
    options: {
      legs: [...o.legs].join(','),
      ...Object.fromEntries(
        (['workers', 'chunk-bytes', 'concurrency', 'statement-bytes'] as const).map((k) => [k, o[k] ?? 'default']),
      ),
    },
    goals: judged,
    note:
      'Same MariaDB, same file; rounds alternate the order of the legs, InnoDB settles between legs; medians, ratios paired per round ' +
      '(each ETL against the bare loads of its round). ETL = runEtl end to end (header, checksum, load, aggregates and page index, switch, cleanup), ' +
      'each ETL leg into a fresh database; its process wall time adds Node/tsx start-up. The production path goes through the local PlanetScale gateway ' +
      '(a Node process of its own, so its CPU is counted apart). CPU figures from /proc; MariaDB CPU and Com_insert are server-wide (other clients count too). ' +
      'loadavg is the 1-minute load average after each round: other work on the machine shows there.',
    results,
  };
  await mkdir(join(ROOT, 'bench', 'reports'), { recursive: true });
  await writeAtomic(o.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${o.out}`);
}

/** Bad usage: our own checks, or an option node:util's parseArgs does not know or cannot take. */
const badUsage = (err: unknown) =>
  err instanceof UsageError || String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (badUsage(err)) {
      console.error(`npm run bench:etl: ${(err as Error).message}\n\n${HELP}`);
      process.exit(2);
    }
    console.error(`bench:etl failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
