// Runs a scenario's stages one after the other (one autocannon run each) against the target;
// for cache-stampede, deletes the stats keys on a timer meanwhile and counts, from the Worker's
// own GET /metrics, the database statements that caused.
import { runLoad, type ErrorSample, type LoadSamples } from '../bench/http/load.ts';
import { joinSamples } from '../bench/http/samples.ts';
import { countersFrom, scrapeMetrics, type Scrape } from '../bench/http/server-counters.ts';
import { muteWorkerLogs } from '../bench/http/worker-log.ts';
import { statsCacheKeys } from '../src/data/cache-keys.ts';
import type { StageWindow } from './analyze.ts';
import type { Progress } from './progress.ts';
import type { PlannedStage, Scenario } from './scenarios.ts';
import type { Target } from './target.ts';
import { deleteKeys, keysLike } from '../bench/http/upstash-rest.ts';
import type { Traffic } from './traffic.ts';

export interface Execution {
  samples: LoadSamples;
  windows: StageWindow[];
  markers: { at: number; label: string }[];
  values: Record<string, number | string>;
  notes: string[];
  errorSamples: ErrorSample[];
}

export async function execute(scenario: Scenario, stages: PlannedStage[], target: Target, traffic: Traffic, progress: Progress): Promise<Execution> {
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
      notes.push('The stats keys could not be deleted: that needs the local stack\'s Upstash gateway, and the target was given with --target. Only the natural 60 s TTL expiry is exercised (run for 70 s or more to include one).');
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

  // Our own stack's runtime forwards the Worker's logs to our stdout: count them, do not echo them.
  const mute = target.kind === 'local-started' ? muteWorkerLogs() : null;
  try {
    for (const stage of stages) {
      if (windows.length) markers.push({ at: since(), label: stage.label });
      progress.stage(stage.label, stage.connections);
      const fromMs = Date.now();
      const run = await runLoad({
        url: target.url,
        requests: traffic.requests,
        connections: stage.connections,
        durationS: stage.durationS,
        shuffle: true,
        onBatch: (b) => progress.batch(b),
      });
      windows.push({ label: stage.label, connections: stage.connections, fromMs, toMs: Date.now(), samples: run.samples });
    }
  } finally {
    clearInterval(timer);
    await Promise.all(invalidating);
  }

  if (scenario.invalidateEveryS) {
    const metric = 'db_statements_per_invalidation';
    const after = await scrapeMetrics(target.url, target.apiKey);
    if (target.upstash) notes.push(`The stats keys (${STATS_KEYS_LIKE.join(', ')}, of every dataset) were deleted ${invalidations} times, every ${scenario.invalidateEveryS} s.`);
    if (!target.upstash) values[metric] = 'no invalidation possible on this target';
    else if (!before?.ok || !after.ok) values[metric] = `the Worker's counters could not be read (${(before && !before.ok ? before.error : !after.ok ? after.error : '').slice(0, 120)})`;
    else if (target.kind === 'explicit') values[metric] = 'GET /metrics is per isolate: not conclusive on a deployed target';
    else {
      const statements = countersFrom(after.series).dbStatements - countersFrom(before.series).dbStatements;
      values[metric] = statements / Math.max(1, invalidations);
      notes.push(`The Worker ran ${statements} database statements meanwhile (a load of /stats/risk is 2 statements, of /stats/age 1; the dataset pointer is read once per L1 lifetime).`);
    }
  }
  // The runtime forwards the Worker's output a moment later: let the last lines land first.
  await new Promise((r) => setTimeout(r, 100));
  const logged = mute?.stop();
  if (logged?.lines) notes.push(`The Worker and the runtime logged ${logged.lines} lines during the run, e.g. ${logged.samples.slice(0, 2).map((x) => `\`${x.replace(/`/g, "'")}\``).join('; ')}.`);

  const samples = joinSamples(windows.map((w) => w.samples));
  return { samples, windows, markers: markers.sort((a, b) => a.at - b.at), values, notes, errorSamples: samples.errorSamples };
}

/** The stats keys of any dataset id, as Redis globs: `stats:risk:d*`, `stats:age:d*`. */
const STATS_KEYS_LIKE = statsCacheKeys(0).map((k) => k.replace(/:d0$/, ':d*'));

/** Deletes the stats keys of every dataset (the live one's id is the database's, not known here). */
async function deleteStatsKeys(upstash: { url: string; token: string }): Promise<number> {
  const found: string[] = [];
  for (const pattern of STATS_KEYS_LIKE) found.push(...(await keysLike(upstash, pattern)));
  return found.length ? deleteKeys(upstash, found) : 0;
}
