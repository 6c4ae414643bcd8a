// Runs a scenario's stages one after the other (one autocannon run each) against the target;
// for cache-stampede, deletes the stats keys on a timer meanwhile and counts, from the Worker's
// own GET /metrics, the database statements that caused; for faults, injects the database's
// transient errors and a dropped client on the Worker's own PlanetScale gateway meanwhile.
import { runLoad, type ErrorSample, type LoadSamples } from '../loadkit/http/load.ts';
import { joinSamples } from '../loadkit/http/samples.ts';
import { countersFrom, scrapeMetrics, type Scrape } from '../loadkit/http/server-counters.ts';
import { muteWorkerLogs } from '../loadkit/http/worker-log.ts';
import { statsCacheKeys } from '../src/data/cache-keys.ts';
import type { StageWindow } from './analyze.ts';
import { driveFaults, GatewayAdmin, type FaultRun } from './fault-driver.ts';
import { planFaults } from './faults.ts';
import type { Progress } from './progress.ts';
import type { PlannedStage, Scenario } from './scenarios.ts';
import { TargetError, type Target } from './target.ts';
import { deleteKeys, keysLike } from '../loadkit/http/upstash-rest.ts';
import type { Traffic } from './traffic.ts';

export interface Execution {
  samples: LoadSamples;
  windows: StageWindow[];
  markers: { at: number; label: string }[];
  values: Record<string, number | string>;
  notes: string[];
  errorSamples: ErrorSample[];
  /** The faults scenario: what was injected when (the run's samples say how the API answered). */
  faults?: FaultRun & { startMs: number; planned: number; gateway: string };
}

/** The Worker's settings the scenarios depend on (wrangler.toml [vars]). */
export interface WorkerBounds {
  dbTimeoutMs: number;
}

export async function execute(
  scenario: Scenario,
  stages: PlannedStage[],
  target: Target,
  traffic: Traffic,
  progress: Progress,
  worker?: WorkerBounds,
): Promise<Execution> {
  const notes: string[] = [];
  const values: Record<string, number | string> = {};
  const markers: { at: number; label: string }[] = [];
  const windows: StageWindow[] = [];
  const t0 = Date.now();
  const since = () => Math.round((Date.now() - t0) / 100) / 10;

  let before: Scrape | null = null;
  let timer: NodeJS.Timeout | undefined;
  let invalidations = 0;
  const invalidating: Promise<unknown>[] = [];
  if (scenario.invalidateEveryS) {
    before = await scrapeMetrics(target.url, target.apiKey);
    if (!target.upstash) {
      notes.push(
        "The stats keys could not be deleted: that needs the local stack's Upstash gateway, and the target was given with --target. Only the natural 60 s TTL expiry is exercised (run for 70 s or more to include one).",
      );
    } else {
      const upstash = target.upstash;
      timer = setInterval(() => {
        const at = since();
        invalidating.push(
          deleteStatsKeys(upstash).then(
            () => {
              invalidations++;
              markers.push({ at, label: 'DEL' });
            },
            (err: Error) => notes.push(`Deleting the stats keys at ${at} s failed: ${err.message}`),
          ),
        );
      }, scenario.invalidateEveryS * 1000);
    }
  }

  let admin: GatewayAdmin | null = null;
  if (scenario.injectsFaults) {
    if (!target.planetscaleReader)
      throw new TargetError(
        "the faults scenario needs the Worker's own PlanetScale gateway, and this target names none (a `npm start` stack from before planetscaleReader was in .local/stack.json? restart it)",
      );
    admin = new GatewayAdmin(target.planetscaleReader.url);
    try {
      // Also the check that the gateway takes our faults, before any traffic.
      const cleared = await admin.clear();
      if (cleared)
        notes.push(
          `${cleared} fault${cleared > 1 ? 's' : ''} left on the gateway by something else ${cleared > 1 ? 'were' : 'was'} cleared before the run.`,
        );
    } catch (err) {
      throw new TargetError(
        `the Worker's PlanetScale gateway at ${admin.origin} does not take faults (${(err as Error).message.slice(0, 200)})`,
      );
    }
  }
  let faults: Execution['faults'];

  // Our own stack's runtime forwards the Worker's logs to our stdout: count them, do not echo them.
  const mute = target.kind === 'local-started' ? muteWorkerLogs() : null;
  try {
    for (const stage of stages) {
      if (windows.length) markers.push({ at: since(), label: stage.label });
      progress.stage(stage.label, stage.connections);
      const fromMs = Date.now();
      const plan = admin ? planFaults(stage.durationS) : [];
      // Settled into a value at once: a failure must wait for the load, not crash the process meanwhile.
      const driving = admin
        ? driveFaults({
            admin,
            api: { url: target.url, apiKey: target.apiKey },
            upstash: target.upstash,
            plan,
            startMs: fromMs,
            dbTimeoutMs: worker?.dbTimeoutMs ?? 3000,
          }).then(
            (run) => ({ run }),
            (err: unknown) => ({ err }),
          )
        : null;
      const run = await runLoad({
        url: target.url,
        requests: traffic.requests,
        connections: stage.connections,
        durationS: stage.durationS,
        shuffle: true,
        onBatch: (b) => progress.batch(b),
      });
      windows.push({
        label: stage.label,
        connections: stage.connections,
        fromMs,
        toMs: Date.now(),
        samples: run.samples,
      });
      if (driving && admin) {
        const done = await driving;
        if ('err' in done) throw done.err;
        // Its times count from this stage's start, which is the analysis' (the scenario has one stage).
        faults = {
          ...done.run,
          startMs: fromMs,
          planned: plan.length,
          gateway: admin.origin.replace(/^https?:\/\//, ''),
        };
        markers.push(...done.run.markers);
        notes.push(...done.run.notes);
      }
    }
  } finally {
    clearInterval(timer);
    await Promise.all(invalidating);
    // Nothing of ours may outlive the run on a stack that someone keeps using.
    if (admin)
      await admin
        .clear()
        .catch((err: Error) =>
          notes.push(`The faults could not be cleared after the run: ${err.message.slice(0, 200)}`),
        );
  }

  if (scenario.invalidateEveryS) {
    const metric = 'db_statements_per_invalidation';
    const after = await scrapeMetrics(target.url, target.apiKey);
    if (target.upstash)
      notes.push(
        `The stats keys (${STATS_KEYS_LIKE.join(', ')}, of every dataset) were deleted ${invalidations} times, every ${scenario.invalidateEveryS} s.`,
      );
    if (!target.upstash) values[metric] = 'no invalidation possible on this target';
    else if (!before?.ok || !after.ok)
      values[metric] =
        `the Worker's counters could not be read (${(before && !before.ok ? before.error : !after.ok ? after.error : '').slice(0, 120)})`;
    else if (target.kind === 'explicit')
      values[metric] = 'GET /metrics is per isolate: not conclusive on a deployed target';
    else {
      const statements = countersFrom(after.series).dbStatements - countersFrom(before.series).dbStatements;
      values[metric] = statements / Math.max(1, invalidations);
      notes.push(
        `The Worker ran ${statements} database statements meanwhile (a load of /stats/risk is 2 statements, of /stats/age 1; the dataset pointer is read once per L1 lifetime).`,
      );
    }
  }
  const logged = await unmuteWorkerLogs(mute);
  if (logged) notes.push(logged);

  const samples = joinSamples(windows.map((w) => w.samples));
  return {
    samples,
    windows,
    markers: markers.sort((a, b) => a.at - b.at),
    values,
    notes,
    errorSamples: samples.errorSamples,
    ...(faults ? { faults } : {}),
  };
}

/** The stats keys of any dataset, as Redis globs: `stats:risk:d*`, `stats:age:d*`. */
const STATS_KEYS_LIKE = statsCacheKeys('*');

/** Deletes the stats keys of every dataset (the live one's id is the database's, not known here). */
async function deleteStatsKeys(upstash: { url: string; token: string }): Promise<number> {
  const found: string[] = [];
  for (const pattern of STATS_KEYS_LIKE) found.push(...(await keysLike(upstash, pattern)));
  return found.length ? deleteKeys(upstash, found) : 0;
}

/**
 * Stops counting the Worker's forwarded log lines (muteWorkerLogs) and says what was logged, or
 * undefined when nothing was. The runtime forwards the Worker's output a moment later: the last
 * lines land first.
 */
export async function unmuteWorkerLogs(mute: ReturnType<typeof muteWorkerLogs> | null): Promise<string | undefined> {
  await new Promise((r) => setTimeout(r, 100));
  const logged = mute?.stop();
  if (!logged?.lines) return undefined;
  const samples = logged.samples
    .slice(0, 2)
    .map((x) => `\`${x.replace(/`/g, "'")}\``)
    .join('; ');
  return `The Worker and the runtime logged ${logged.lines} lines during the run, e.g. ${samples}.`;
}
