// `npm run load-test -- --scenario NAME`: runs one scenario against the local stack (or --target),
// judges its thresholds, writes load-tests/reports/<timestamp>-<scenario>.{md,json} and charts,
// compares with the previous run of the scenario; exits 1 when a threshold fails.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { choiceOption, intOption, onStopSignal, UsageError, writeAtomic } from '../kit/cli.ts';
import { loadAverage, machine } from '../loadkit/report/environment.ts';
import { readWorkerSettings } from '../local/bundle.ts';
import { analyze, figures } from './analyze.ts';
import { execute, type WorkerBounds } from './execute.ts';
import { endpointsDuring, faultValues, faultWindows } from './faults.ts';
import { previousReport, REPORTS_DIR, reportId } from './history.ts';
import { createProgress } from './progress.ts';
import { AFTER_FAULT_MS, burstSummary } from './report/fault-figures.ts';
import { executeFixedRate, fixedRateValues, planFixedRate } from './fixed-rate.ts';
import { chartFilesOf, render, renderCharts, thresholdName } from './report/render.ts';
import type { FaultReport, FixedRateReport, LoadTestResult } from './report/types.ts';
import { parseDuration, planStages, SCENARIO_NAMES, SCENARIOS, thresholdsOf, type ScenarioName } from './scenarios.ts';
import { describeLatency, parseLatency, type LatencyProfile } from '../local/network.ts';
import { EDGE_PROFILE, LOADTEST_DATABASE, LOADTEST_ROWS, resolveTarget, TargetError, type Target } from './target.ts';
import { evaluate, passed } from './thresholds.ts';
import { buildTraffic, endpointOf, endpointTraffic, targetFacts, type TargetFacts } from './traffic.ts';

const HELP = `Usage: npm run load-test -- --scenario NAME [options]

Scenarios:
${SCENARIO_NAMES.map((n) => `  ${n.padEnd(15)} ${SCENARIOS[n].summary} (default ${SCENARIOS[n].defaultDurationS} s, ${SCENARIOS[n].defaultConnections} connections)`).join('\n')}

Options:
  --duration D       total duration, e.g. 45s, 10m (default per scenario)
  --connections N    base connections (spike multiplies them by 20 in its spike stage; fixed-rate:
                     its saturation probes')
  --target URL       load a deployed edge URL instead of the local stack (needs --api-key)
  --api-key KEY      API key for --target (or NHIS_API_KEY in the environment)
  --runtime R        miniflare (default) or workerd, when a local stack has to be started
  --rows N           dataset of that stack (default ${LOADTEST_ROWS.toLocaleString('en-US')} rows, database ${LOADTEST_DATABASE})
  --edge             the Worker as an edge location far from its services: shorthand for
                     --db-latency ${EDGE_PROFILE.database.rttMs}±${EDGE_PROFILE.database.jitterMs} --upstash-latency ${EDGE_PROFILE.upstash.rttMs}±${EDGE_PROFILE.upstash.jitterMs}
  --db-latency R±J   round trip (ms, ± uniform jitter) the Worker's database gateway adds to each request
  --upstash-latency R±J  the same for the Upstash gateway
                     (any latency option starts a stack of its own, even with \`npm start\` running)
  -h, --help         this text

Target: the running \`npm start\` stack when there is one (.local/stack.json), else a local stack
started for the run and stopped after. Traffic goes to 127.0.0.1/localhost only, unless --target
names another host. Reports: load-tests/reports/<timestamp>-<scenario>.md and .json (+ SVG charts).

faults: injects UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED and ABORTED in turn (each for
60 % of a sixth of the run) on the PlanetScale gateway the Worker queries, through its
/__gateway/faults route, aging the cached stats past their freshness as each starts (so they are
served stale-if-error); then holds one uncached load, drops the client that started it and sends
a burst of 20 for the same key. Latency bounds are DB_TIMEOUT_MS (wrangler.toml) + 1 s. It needs
a local stack: with --target it refuses to run (exit 2), as a deployed database takes no faults.
Minimum --duration ${SCENARIOS.faults.minDurationS}s.

fixed-rate: per endpoint (POST /simulate, cached GET /stats/risk, GET /records pages), alone, a
${SCENARIOS['fixed-rate'].fixedRate!.probeS} s autocannon probe finds the rate it saturates at; then loadkit/http/open-loop.ts offers
25, 50, 75 and 90 % of it, latency counted from each request's intended send time. --duration
(default ${SCENARIOS['fixed-rate'].defaultDurationS} s) is split evenly between the endpoints; after the probe, the four steps share
the rest (each ${SCENARIOS['fixed-rate'].fixedRate!.warmupS} s warm-up + the rest measured). Minimum --duration ${SCENARIOS['fixed-rate'].minDurationS}s.

Exit status: 0 all thresholds pass, 1 a threshold fails, 2 the test could not run.`;

function options() {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      target: { type: 'string' },
      'api-key': { type: 'string' },
      runtime: { type: 'string', default: 'miniflare' },
      rows: { type: 'string' },
      edge: { type: 'boolean' },
      'db-latency': { type: 'string' },
      'upstash-latency': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return null;
  const name = values.scenario as ScenarioName | undefined;
  if (!name) throw new UsageError('--scenario is required');
  if (!SCENARIO_NAMES.includes(name))
    throw new UsageError(`unknown scenario '${name}'; one of: ${SCENARIO_NAMES.join(', ')}`);
  const scenario = SCENARIOS[name];
  const connections = intOption(values.connections, '--connections', 1, 1000) ?? scenario.defaultConnections;
  const runtime = choiceOption(values.runtime, '--runtime', ['miniflare', 'workerd'] as const);
  const rows = intOption(values.rows, '--rows', 1000) ?? LOADTEST_ROWS;
  if (values['api-key'] && !values.target) throw new UsageError('--api-key goes with --target');
  if (scenario.injectsFaults && values.target)
    throw new UsageError(
      `the ${name} scenario injects faults on the local stack's PlanetScale gateway; a deployed target (--target) takes none, so it cannot run there`,
    );
  let durationS = scenario.defaultDurationS;
  if (values.duration !== undefined) {
    try {
      durationS = parseDuration(values.duration);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  if (scenario.minDurationS && durationS < scenario.minDurationS)
    throw new UsageError(`the ${name} scenario needs --duration ${scenario.minDurationS}s or more, got ${durationS} s`);
  const latency: { database?: LatencyProfile; upstash?: LatencyProfile } = values.edge ? { ...EDGE_PROFILE } : {};
  try {
    if (values['db-latency'] !== undefined) latency.database = parseLatency(values['db-latency']);
    if (values['upstash-latency'] !== undefined) latency.upstash = parseLatency(values['upstash-latency']);
  } catch (err) {
    throw new UsageError(`--db-latency/--upstash-latency: ${(err as Error).message}`);
  }
  const hasLatency = latency.database !== undefined || latency.upstash !== undefined;
  if (hasLatency && values.target)
    throw new UsageError('--edge and the latency options shape the local gateways; they do not go with --target');
  return {
    scenario,
    durationS,
    connections,
    target: values.target,
    apiKey: values['api-key'],
    runtime,
    rows,
    latency: hasLatency ? latency : undefined,
  } as const;
}

async function facts(target: Target, notes: string[]): Promise<TargetFacts> {
  try {
    return await targetFacts(target.url, target.apiKey);
  } catch (err) {
    notes.push(
      `Paging and record ids could not be read through the API (${(err as Error).message.slice(0, 200)}); /records traffic uses page 1 and id 1.`,
    );
    return { lastPage: 1, totalItems: 0, ids: [1] };
  }
}

/** DB_TIMEOUT_MS of the Worker as wrangler.toml sets it for the local stacks (its production vars). */
async function workerBounds(notes: string[]): Promise<WorkerBounds> {
  const fallback = 3000;
  try {
    const value = Number((await readWorkerSettings()).vars.DB_TIMEOUT_MS);
    if (Number.isFinite(value) && value > 0) return { dbTimeoutMs: value };
    notes.push(`wrangler.toml has no usable DB_TIMEOUT_MS: the latency bounds assume ${fallback} ms.`);
  } catch (err) {
    notes.push(
      `wrangler.toml could not be read (${(err as Error).message.slice(0, 200)}): the latency bounds assume DB_TIMEOUT_MS ${fallback} ms.`,
    );
  }
  return { dbTimeoutMs: fallback };
}

async function main(): Promise<number> {
  const opts = options();
  if (!opts) return (console.log(HELP), 0);
  const { scenario } = opts;
  const log = (m: string) => console.log(`[load-test] ${m}`);
  log(`${scenario.name}: ${scenario.summary}`);
  log(`${machine().cores} shared cores: the load generator takes about one of them`);
  const loadAvgStart = loadAverage();
  const target = await resolveTarget({
    target: opts.target,
    apiKey: opts.apiKey,
    runtime: opts.runtime,
    rows: opts.rows,
    latency: opts.latency,
    log,
  });
  // An interrupted test could not run: exit 2, as the help says (not the kit's default 130).
  onStopSignal('load-test', () => target.close(), 2);

  let result: LoadTestResult;
  try {
    const health = await fetch(`${target.url}/health`, { signal: AbortSignal.timeout(10_000) }).catch((e: Error) => e);
    if (health instanceof Error || !health.ok)
      throw new TargetError(
        `${target.url}/health does not answer 200 (${health instanceof Error ? health.message : health.status}); is the target up?`,
      );
    const notes: string[] = [];
    const bounds = scenario.timeoutThresholds || scenario.injectsFaults ? await workerBounds(notes) : undefined;
    const targetData = await facts(target, notes);
    const traffic = buildTraffic(scenario.traffic, targetData, target.apiKey);
    const fixedPlan = scenario.fixedRate ? planFixedRate(scenario.fixedRate, opts.durationS, opts.connections) : null;
    const stages = fixedPlan
      ? fixedPlan.endpoints.map((e) => ({
          label: `probe ${e}`,
          connections: fixedPlan.connections,
          durationS: fixedPlan.probeS,
        }))
      : planStages(scenario, opts.durationS, opts.connections);
    const plannedS = fixedPlan ? fixedPlan.totalS : stages.reduce((a, s) => a + s.durationS, 0);
    log(
      `target ${target.url}; ${stages.map((s) => `${s.label} ${s.connections} conn. × ${s.durationS} s`).join(', ')}${fixedPlan ? `; after each, ${fixedPlan.shares.length} open-loop steps of ${fixedPlan.warmupS} s warm-up + ${fixedPlan.stepS} s (${plannedS} s in all)` : ''}`,
    );
    const started = new Date();
    const progress = createProgress(scenario.name, plannedS);
    let run: Awaited<ReturnType<typeof execute>>;
    let fixedRate: FixedRateReport | undefined;
    let runEndMs: number | undefined;
    try {
      if (fixedPlan) {
        const fr = await executeFixedRate(
          fixedPlan,
          target,
          (e) => endpointTraffic(e, targetData, target.apiKey),
          progress,
        );
        fixedRate = fr.fixedRate;
        runEndMs = fr.endMs;
        run = fr;
        Object.assign(run.values, fixedRateValues(fr.fixedRate));
      } else run = await execute(scenario, stages, target, traffic, progress, bounds);
    } finally {
      progress.stop();
    }
    const a = analyze(
      run.samples,
      run.windows,
      scenario.traffic === 'every-endpoint' ? [...new Set(traffic.requests.map(endpointOf))] : [],
    );
    if (fixedPlan) {
      // Rates over the probes' own seconds, not over the steps between them.
      const secondsOf = (w: (typeof run.windows)[number]) => (w.toMs - w.fromMs) / 1000;
      a.overall = figures(
        run.samples,
        run.windows.reduce((t, w) => t + secondsOf(w), 0),
      );
      a.endpoints = run.windows.map((w) => ({
        endpoint: w.label.replace(/^probe /, ''),
        ...figures(w.samples, secondsOf(w)),
      }));
    }
    let faults: FaultReport | undefined;
    if (run.faults && bounds) {
      const f = run.faults;
      const windows = faultWindows(run.samples, f.events, f.startMs);
      faults = {
        gateway: f.gateway,
        dbTimeoutMs: bounds.dbTimeoutMs,
        timeline: f.timeline,
        windows,
        duringFaults: endpointsDuring(run.samples, f.events),
        drop: f.drop,
      };
      Object.assign(run.values, faultValues(f.planned, windows, f.drop));
    }
    const specs = bounds ? thresholdsOf(scenario, bounds.dbTimeoutMs) : scenario.thresholds;
    const thresholds = evaluate(specs, { scope: a.scope, values: { ...a.values, ...run.values } });
    const kinds = new Map<string, number>();
    for (const e of run.samples.errors) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    let startS = 0;
    const m = machine();
    result = {
      schemaVersion: 1,
      scenario: scenario.name,
      summary: scenario.summary,
      startedAt: started.toISOString(),
      id: reportId(started, scenario.name),
      durationS: Math.round(((runEndMs ?? run.windows.at(-1)!.toMs) - run.windows[0]!.fromMs) / 100) / 10,
      target: { url: target.url, kind: target.kind, runtime: target.runtime ?? null },
      machine: {
        cpuModel: m.cpuModel,
        cores: m.cores,
        node: m.node,
        autocannon: m.autocannon,
        loadAvgStart,
        loadAvgEnd: loadAverage(),
      },
      settings: {
        plannedDurationS: plannedS,
        stages: stages.map((s) => ({ ...s, startS: (startS += s.durationS) - s.durationS })),
        ...(fixedPlan
          ? (() => {
              const all = fixedPlan.endpoints.flatMap((e) => endpointTraffic(e, targetData, target.apiKey).requests);
              return {
                traffic: 'one endpoint at a time',
                weights: fixedPlan.endpoints.map((endpoint) => ({ endpoint, weight: 100 })),
                distinctRequests: new Set(all.map((r) => `${r.method} ${r.path} ${r.body ?? ''}`)).size,
              };
            })()
          : {
              traffic: scenario.traffic,
              weights: traffic.weights,
              distinctRequests: new Set(traffic.requests.map((r) => `${r.method} ${r.path} ${r.body ?? ''}`)).size,
            }),
      },
      overall: a.overall,
      endpoints: a.endpoints,
      stages: a.stages,
      timeline: a.timeline,
      markers: run.markers,
      thresholds,
      pass: passed(thresholds),
      errorSamples: run.errorSamples,
      connectionErrors: [...kinds].map(([kind, count]) => ({ kind, count })),
      notes: [
        ...(opts.latency
          ? [
              `Edge profile: the Worker's database gateway adds a round trip of ${describeLatency(opts.latency.database)} to each request, its Upstash gateway ${describeLatency(opts.latency.upstash)} (local/network.ts), as for an edge location far from both.`,
            ]
          : []),
        ...notes,
        ...run.notes,
      ],
      ...(faults ? { faults } : {}),
      ...(fixedRate ? { fixedRate } : {}),
    };
  } finally {
    await target.close();
  }

  await mkdir(REPORTS_DIR, { recursive: true });
  const previous = await previousReport(result.scenario, result.id);
  const base = join(REPORTS_DIR, result.id);
  await writeAtomic(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  for (const [name, svg] of Object.entries(renderCharts(result))) await writeAtomic(join(REPORTS_DIR, name), svg);
  await writeAtomic(`${base}.md`, render(result, previous));

  const o = result.overall;
  log(
    `${result.fixedRate ? 'probes: ' : ''}${o.requests.toLocaleString('en-US')} responses, ${o.rps} req/s, p50 ${o.latency.p50} ms, p95 ${o.latency.p95} ms, p99 ${o.latency.p99} ms, failed ${(o.failedRate * 100).toFixed(3)}%`,
  );
  if (result.faults) logFaults(result.faults, log);
  if (result.fixedRate) logFixedRate(result.fixedRate, log);
  for (const t of result.thresholds)
    log(`  ${t.pass === null ? 'n/a ' : t.pass ? 'pass' : 'FAIL'}  ${thresholdName(t)}: ${t.actual ?? t.note}`);
  if (previous)
    log(
      `compared with ${previous.id}: req/s ${previous.overall.rps} → ${o.rps}, p95 ${previous.overall.latency.p95} → ${o.latency.p95} ms`,
    );
  const skipped = result.thresholds.filter((t) => t.pass === null).length;
  log(
    `${result.pass ? 'PASS' : 'FAIL'}${skipped ? ` (${skipped} not evaluated)` : ''}: wrote ${join('load-tests', 'reports', `${result.id}.md`)} (+ .json, ${chartFilesOf(result).join(', ')})`,
  );
  return result.pass ? 0 : 1;
}

function logFixedRate(f: FixedRateReport, log: (m: string) => void) {
  for (const e of f.endpoints) {
    log(`  ${e.endpoint}: saturates at ${e.saturationRps} req/s (probe p99 ${e.probeP99} ms)`);
    for (const s of e.steps)
      log(
        `    ${Math.round(100 * s.share)} %: ${s.requestedRate} → ${s.achievedRate} req/s ${s.held ? 'held' : 'could not hold'}; p50 ${s.latency.p50} ms, p99 ${s.latency.p99} ms, p99.9 ${s.latency.p999} ms, max ${s.latency.max} ms`,
      );
  }
}

function logFaults(f: FaultReport, log: (m: string) => void) {
  const others = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([code, n]) => `${n}× ${code}`)
      .join(', ') || '0';
  for (const w of f.windows) {
    const span = w.fromS === null ? 'outside faults' : `${w.fromS}–${w.toS} s`;
    log(
      `  ${w.label} (${span}): ${w.responses} responses, ${w.ok} 2xx, ${w.retryable503} 503+Retry-After${w.afterFault503 ? ` (${w.afterFault503} within ${AFTER_FAULT_MS / 1000} s after a fault)` : ''}, other ${others(w.other)}${w.bare503 ? `, ${w.bare503} 503 without Retry-After` : ''}${w.noResponse ? `, ${w.noResponse} no response` : ''}; p99 ${w.p99} ms, max ${w.max} ms${w.applied === null ? '' : `; gateway applied it to ${w.applied} statements`}`,
    );
  }
  if (f.drop) {
    const b = burstSummary(f.drop.burst);
    const first = f.drop.first.aborted
      ? 'aborted'
      : `answered ${f.drop.first.status ?? 'nothing'} in ${f.drop.first.ms} ms (not dropped)`;
    log(
      `  client drop GET ${f.drop.path}: first request ${first}; burst ${b.answered}/${b.sent} answered (${others(b.statuses)}), slowest ${b.maxMs} ms (bound ${f.dbTimeoutMs + 1000} ms)`,
    );
  }
}

/** Bad usage: our own checks, or an option node:util's parseArgs does not know or cannot take. */
const badUsage = (err: unknown) =>
  err instanceof UsageError || String((err as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (badUsage(err)) console.error(`npm run load-test: ${(err as Error).message}\n\n${HELP}`);
    else if (err instanceof TargetError) console.error(`npm run load-test: ${err.message}`);
    else console.error(`npm run load-test failed: ${(err as Error).stack ?? err}`);
    process.exit(2);
  },
);
