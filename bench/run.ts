// `npm run bench`: tinybench micro-benchmarks, then autocannon against the production bundle on
// the bench's own local stack in each runtime; writes bench/reports/PERFORMANCE.md, its SVG charts
// and performance.json, and prints the key figures.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { choiceOption, intOption, onStopSignal, UsageError, writeAtomic } from '../kit/cli.ts';
import { ROOT } from '../local/bundle.ts';
import { simulateBodies } from '../loadkit/inputs.ts';
import { loadAverage, machine } from '../loadkit/report/environment.ts';
import { datasetFacts, startBenchStack, type BenchStack } from './http/bench-stack.ts';
import { CEILING_PLAN, endpointPlan } from './http/endpoints.ts';
import { measureFixedRate } from './http/fixed-rate.ts';
import { measurePauses } from './http/pauses.ts';
import type { PausesResult } from './report/pauses.ts';
import { pausesLines } from './report/pauses-section.ts';
import { measureInstructions } from './http/instructions.ts';
import { measureRuntime } from './http/run-http.ts';
import { runMicro, type MicroResult } from './micro/run-micro.ts';
import { BATCH_ENDPOINT_ID, batchPerPerson, describeBatchPerPerson } from './report/batch.ts';
import { FIXED_RATE_ENDPOINTS, type FixedRateResult } from './report/fixed-rate.ts';
import { fixedRateLines } from './report/fixed-rate-section.ts';
import type { FetchFloorResult } from './report/fetch-floor.ts';
import { fetchFloorLines } from './report/fetch-floor-section.ts';
import { measureFetchFloor } from './http/fetch-floor.ts';
import { ratioToFloor, render, renderCharts } from './report/render.ts';
import type { InstructionsResult, PerformanceResult, Runtime, RuntimeResult } from './report/types.ts';
import { verdictMark, verdicts } from './report/verdicts.ts';

const REPORTS = join(ROOT, 'bench', 'reports');
/** The pauses part's offered load: under half the rate /simulate saturated at on the slowest runs here. */
const PAUSE_RATE = 2000;
const MODES = {
  // Own databases: `nhis_bench` belongs to `npm run bench:etl` (bench/etl.ts), which replaces its dataset.
  full: {
    rows: 1_000_000,
    durationS: 10,
    warmupS: 2,
    database: 'nhis_bench_http',
    redisDb: 2,
    idPool: 1000,
    instructions: { warmup: 8000, perWindow: 2000, windows: 3 },
    fixedRate: { warmupS: 3, durationS: 15 },
    pauses: { rate: PAUSE_RATE, warmupS: 3, durationS: 20, ceilingWindows: 4 },
  },
  quick: {
    rows: 200_000,
    durationS: 3,
    warmupS: 1,
    database: 'nhis_bench_quick',
    redisDb: 3,
    idPool: 500,
    instructions: { warmup: 3000, perWindow: 1000, windows: 3 },
    fixedRate: { warmupS: 2, durationS: 5 },
    pauses: { rate: PAUSE_RATE, warmupS: 2, durationS: 10, ceilingWindows: 6 },
  },
} as const;
const CONNECTIONS = 50;
/** Counted under callgrind: the floor, and the API's endpoints with no database on the request path. */
const INSTRUCTION_ENDPOINTS = [
  'floor-get',
  'floor-post',
  'health',
  'simulate',
  BATCH_ENDPOINT_ID,
  'stats-risk',
  'stats-age',
];

const HELP = `Usage: npm run bench -- [--quick] [--rows N] [--runtime both|workerd|miniflare] [--only micro|http|instructions|fixed-rate|pauses|fetch-floor]

Micro-benchmarks (tinybench) of the rules engine, validation, serialisation, the cache tiers and
CSV chunk parsing; then HTTP benchmarks (autocannon, worker-thread mode, ${CONNECTIONS} connections) of the
production bundle on a local stack with its own database and Redis db, in each runtime, against
a hello-world ceiling Worker in the same runtime and a floor Worker (the app's request pipeline
and headers, no route work: bench/http/floor-entry.ts); then, with plain workerd, the instructions per
response of the ceiling and of ${INSTRUCTION_ENDPOINTS.join(', ')}, counted by valgrind's callgrind (a
count, not a time: CPU contention does not change it; skipped with a note when valgrind is missing),
and the batch's instructions per person against one /simulate response; and, with plain workerd,
latency at fixed offered loads (open loop, from each request's intended send time): /simulate and
the cached stats at 25, 50, 75 and 90 % of the req/s each saturated at in this run, the ceiling at
the same rates (${MODES.quick.fixedRate.warmupS} + ${MODES.quick.fixedRate.durationS} s per step with --quick, ${MODES.full.fixedRate.warmupS} + ${MODES.full.fixedRate.durationS} s otherwise).
Writes bench/reports/PERFORMANCE.md, performance.json and the SVG charts.

  --quick        ${MODES.quick.durationS} s runs, ${MODES.quick.rows.toLocaleString('en-US')} rows (database ${MODES.quick.database}); about 17 minutes (14 with --runtime workerd)
                 (default: ${MODES.full.durationS} s runs, ${MODES.full.rows.toLocaleString('en-US')} rows in ${MODES.full.database}; about 35 minutes, 15 of them under callgrind)
  --rows N       dataset size (generated once, loaded through the ETL once, then reused)
  --runtime R    both (default), workerd or miniflare
  --only W       micro, http, instructions, fixed-rate or pauses: run one part only (the report shows
                 what was run; fixed-rate first measures the saturation of its endpoints; fixed-rate and
                 pauses need --runtime workerd). pauses: the ceiling, the floors, /simulate and the cached
                 stats at ${PAUSE_RATE.toLocaleString('en-US')} req/s each (open loop, ${MODES.quick.pauses.durationS} s with --quick, ${MODES.full.pauses.durationS} s otherwise), each workerd
                 with V8's GC trace: the stalls beside the collections, bytes and runtime handles per response;
                 then one ceiling process for ${MODES.quick.pauses.ceilingWindows} windows (${MODES.full.pauses.ceilingWindows} without --quick) of the same load
                 fetch-floor: a part of its own (not folded into instructions; in every full run): the
                 instructions per response of /records page 1 and last page, /records/:id and the uncached
                 stats against the fetch floor, a Worker making only the same subrequests (PlanetScale; Upstash for a stats miss)
                 (bench/http/fetch-floor-entry.ts), judged ≤ 1.5 ×, with a callgrind profile of the rest
  -h, --help     this text

Two shared cores: the load generator takes about one of them; the report says so.

Exit status: 0 the report was written (whatever its verdicts), 1 the run failed, 2 bad usage, 130 interrupted (Ctrl-C).`;

function options() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rows: { type: 'string' },
      runtime: { type: 'string', default: 'both' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const mode = MODES[values.quick ? 'quick' : 'full'];
  const rows = intOption(values.rows, '--rows', 1000) ?? mode.rows;
  const rt = choiceOption(values.runtime, '--runtime', ['both', 'workerd', 'miniflare'] as const);
  const runtimes: Runtime[] = rt === 'both' ? ['workerd', 'miniflare'] : [rt];
  const only =
    values.only === undefined
      ? undefined
      : choiceOption(values.only, '--only', [
          'micro',
          'http',
          'instructions',
          'fixed-rate',
          'pauses',
          'fetch-floor',
        ] as const);
  const instructions = (only === undefined || only === 'instructions') && runtimes.includes('workerd');
  if (only === 'instructions' && !instructions)
    throw new UsageError('--only instructions counts plain workerd: use --runtime workerd or both');
  const fixedRate = (only === undefined || only === 'fixed-rate') && runtimes.includes('workerd');
  if (only === 'fixed-rate' && !fixedRate)
    throw new UsageError('--only fixed-rate steps plain workerd: use --runtime workerd or both');
  const pauses = (only === undefined || only === 'pauses') && runtimes.includes('workerd');
  if (only === 'pauses' && !pauses)
    throw new UsageError('--only pauses traces plain workerd: use --runtime workerd or both');
  const fetchFloor = (only === undefined || only === 'fetch-floor') && runtimes.includes('workerd');
  if (only === 'fetch-floor' && !fetchFloor)
    throw new UsageError('--only fetch-floor counts plain workerd: use --runtime workerd or both');
  return {
    help: values.help,
    quick: values.quick ?? false,
    mode,
    rows,
    runtimes,
    micro: only === undefined || only === 'micro',
    http: only === undefined || only === 'http',
    instructions,
    fixedRate,
    pauses,
    fetchFloor,
  };
}

async function readEtl(): Promise<Record<string, unknown> | null> {
  const file = join(REPORTS, 'etl.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    return { error: `bench/reports/etl.json is not valid JSON: ${(err as Error).message}` };
  }
}

/** total_pages of GET /records (limit 20); if the API cannot say, the count of valid rows decides. */
async function lastRecordsPage(bench: BenchStack, valid: number, log: (m: string) => void): Promise<number> {
  const res = await fetch(`${bench.stack.api.url}/records?page=1`, { headers: { 'x-api-key': bench.stack.api.key } });
  const body = (await res.json().catch(() => null)) as { pagination?: { total_pages?: number } } | null;
  const pages = body?.pagination?.total_pages;
  if (res.ok && typeof pages === 'number') return Math.max(1, pages);
  const fallback = Math.max(1, Math.ceil(valid / 20));
  log(
    `WARNING: GET /records?page=1 answered ${res.status}; last page taken from the database's valid rows: ${fallback}`,
  );
  return fallback;
}

function printSummary(result: PerformanceResult) {
  if (result.runtimes.length) console.log('\nKey figures (req/s, × ceiling and × floor of the same runtime, p99):');
  for (const r of result.runtimes) {
    console.log(
      `  ${r.runtime}: ceiling ${Math.round(r.ceiling.rps)} → ${Math.round(r.ceilingAfter?.rps ?? r.ceiling.rps)} req/s`,
    );
    for (const e of r.endpoints) {
      const floor = ratioToFloor(r, e);
      const vsFloor = floor === null ? '' : `  ×${floor.toFixed(2)} floor`;
      console.log(
        `    ${e.label.padEnd(36)} ${String(Math.round(e.figures.rps)).padStart(6)} req/s  ×${(e.ratioToCeiling ?? 0).toFixed(2)}${vsFloor}  p95 ${e.figures.latency.p95.toFixed(2)} ms  p99 ${e.figures.latency.p99.toFixed(2)} ms`,
      );
    }
  }
  const ins = result.instructions;
  if (ins?.ceiling) {
    console.log(`\nInstructions per response (plain workerd under callgrind; × = ceiling's ÷ the endpoint's):`);
    console.log(
      `    ${'ceiling: hello-world Worker'.padEnd(36)} ${ins.ceiling.perResponse.toLocaleString('en-US').padStart(9)}`,
    );
    for (const e of ins.endpoints)
      console.log(
        `    ${e.label.padEnd(36)} ${e.perResponse.toLocaleString('en-US').padStart(9)}  ×${(e.ratioToCeiling ?? 0).toFixed(2)}`,
      );
    if (ins.batchPerPerson) console.log(`  batch per person: ${describeBatchPerPerson(ins.batchPerPerson)}`);
  }
  for (const l of fixedRateLines(result.fixedRate)) console.log(l);
  for (const l of pausesLines(result.pauses)) console.log(l);
  for (const l of fetchFloorLines(result.fetchFloor)) console.log(l);
  console.log('\nAcceptance (plain workerd):');
  for (const v of verdicts(result)) console.log(`  ${verdictMark(v.pass).padEnd(16)} ${v.criterion}: ${v.measured}`);
}

async function main() {
  const opts = options();
  if (opts.help) return void console.log(HELP);
  const t0 = Date.now();
  const startedAt = new Date(t0).toISOString();
  const loadAvgStart = loadAverage();
  const log = (m: string) => console.log(`[bench +${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${m}`);
  log(
    `${opts.quick ? 'quick' : 'full'} run; ${machine().cores} shared cores: the load generator takes about one of them`,
  );

  let micro: MicroResult[] = [];
  if (opts.micro) {
    log('micro-benchmarks (tinybench):');
    micro = await runMicro({
      quick: opts.quick,
      onTask: (r) =>
        log(
          `  ${r.label.padEnd(58)} ${r.state === 'completed' ? `${r.meanUs.toFixed(3)} µs/call, ${r.unitsPerSecond.toLocaleString('en-US')} ${r.unit}/s` : `FAILED ${r.error}`}`,
        ),
    });
  }

  let bench: BenchStack | undefined;
  onStopSignal('bench', () => bench?.close(), 130);

  const runtimes: RuntimeResult[] = [];
  let instructions: InstructionsResult | null = null;
  let facts = { total: 0, valid: 0, ids: [] as number[] };
  let lastPage = 0;
  let fixedRate: FixedRateResult | null = null;
  let fetchFloor: FetchFloorResult | null = null;
  let pauses: PausesResult | null = null;
  if (opts.http || opts.instructions || opts.fixedRate || opts.pauses || opts.fetchFloor) {
    log(
      `stack: database ${opts.mode.database}, Redis db ${opts.mode.redisDb}, ${opts.rows.toLocaleString('en-US')} rows (generated and loaded once, then reused)`,
    );
    bench = await startBenchStack({
      rows: opts.rows,
      database: opts.mode.database,
      redisDb: opts.mode.redisDb,
      firstRuntime: opts.runtimes[0]!,
      log,
    });
    try {
      facts = await datasetFacts(bench.stack, opts.mode.idPool);
      lastPage = await lastRecordsPage(bench, facts.valid, log);
      const plan = endpointPlan({
        apiKey: bench.stack.api.key,
        simulateBodies: simulateBodies(64).map((b) => JSON.stringify(b)),
        lastPage,
        recordIds: facts.ids,
      });
      const settings = {
        connections: CONNECTIONS,
        durationS: opts.mode.durationS,
        warmupS: opts.mode.warmupS,
        apiKey: bench.stack.api.key,
        log,
      };
      if (opts.http) {
        for (const runtime of opts.runtimes) {
          log(`HTTP (${runtime}):`);
          runtimes.push(await measureRuntime(runtime, bench, plan, settings));
        }
      }
      if (opts.fixedRate) {
        // Planned from this run's saturation figures: when the HTTP runs were left out, measure them
        // first for the fixed-rate endpoints alone (the ceiling, the three, the ceiling again).
        let saturation = runtimes.find((r) => r.runtime === 'workerd');
        if (!saturation) {
          log('saturation (plain workerd) of the fixed-rate endpoints, to plan the steps from:');
          const ids: string[] = FIXED_RATE_ENDPOINTS.map((e) => e.id);
          saturation = await measureRuntime(
            'workerd',
            bench,
            plan.filter((p) => ids.includes(p.id)),
            settings,
          );
          runtimes.push(saturation);
        }
        log('fixed-rate steps (plain workerd, open loop; the ceiling at the same rates after each step):');
        fixedRate = await measureFixedRate(bench, plan, saturation, { ...opts.mode.fixedRate, log });
      }
      if (opts.pauses) {
        log(
          `pauses (plain workerd, V8's GC trace on, open loop at ${opts.mode.pauses.rate.toLocaleString('en-US')} req/s each):`,
        );
        pauses = await measurePauses(bench, plan, { ...opts.mode.pauses, log });
        if (pauses.skipped) log(`  skipped: ${pauses.skipped}`);
      }
      if (opts.instructions) {
        log('instructions per response (plain workerd under callgrind; start-up takes a minute):');
        instructions = await measureInstructions(
          bench,
          plan.filter((p) => INSTRUCTION_ENDPOINTS.includes(p.id)),
          CEILING_PLAN,
          {
            ...opts.mode.instructions,
            connections: 4,
            log,
          },
        );
        if (instructions.skipped) log(`  skipped: ${instructions.skipped}`);
        instructions.batchPerPerson = batchPerPerson(instructions);
      }
      if (opts.fetchFloor) {
        log('fetch floor (plain workerd under callgrind): database-backed endpoints against their subrequests alone:');
        fetchFloor = await measureFetchFloor(bench, plan, { ...opts.mode.instructions, connections: 4, log });
        if (fetchFloor.skipped) log(`  skipped: ${fetchFloor.skipped}`);
      }
    } finally {
      await bench.close();
    }
  }

  const result: PerformanceResult = {
    schemaVersion: 1,
    startedAt,
    totalSeconds: Math.round((Date.now() - t0) / 1000),
    quick: opts.quick,
    environment: {
      ...machine(),
      loadAvgStart,
      loadAvgEnd: loadAverage(),
      datasetRows: facts.total,
      validRecords: facts.valid,
      database: opts.mode.database,
      redisDb: opts.mode.redisDb,
    },
    http: {
      connections: CONNECTIONS,
      durationS: opts.mode.durationS,
      warmupS: opts.mode.warmupS,
      workers: 1,
      recordsLastPage: lastPage,
      recordIdPool: facts.ids.length,
    },
    micro,
    runtimes,
    instructions,
    ...(fixedRate ? { fixedRate } : {}),
    ...(pauses ? { pauses } : {}),
    ...(fetchFloor ? { fetchFloor } : {}),
    etl: await readEtl(),
  };
  await mkdir(REPORTS, { recursive: true });
  await writeAtomic(join(REPORTS, 'performance.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const [name, svg] of Object.entries(renderCharts(result))) await writeAtomic(join(REPORTS, name), svg);
  await writeAtomic(join(REPORTS, 'PERFORMANCE.md'), render(result));
  if (opts.http || opts.instructions || opts.fixedRate || opts.pauses || opts.fetchFloor) printSummary(result);
  log(`wrote bench/reports/PERFORMANCE.md, performance.json and charts in ${result.totalSeconds} s`);
}

/** Bad usage: our own checks, or an option node:util's parseArgs does not know or cannot take. */
const badUsage = (err: unknown) =>
  err instanceof UsageError || String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');

main().catch((err: unknown) => {
  if (badUsage(err)) {
    console.error(`npm run bench: ${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  console.error(`npm run bench failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
