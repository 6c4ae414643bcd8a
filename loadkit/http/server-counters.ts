// What the Worker itself counted during a run, from its GET /metrics (Prometheus text): cache
// lookups by the tier that answered and database statements. Per isolate; locally there is one.

export type MetricSeries = Map<string, number>;

export interface ServerCounters {
  /** Cache lookups by the tier that answered (X-Cache values), from GET /metrics before and after. */
  cache: Record<string, number>;
  /** Database statements the Worker ran during the run (warm-up included). */
  dbStatements: number;
  /** Responses in the same window (warm-up included): the denominator for per-request figures. */
  responses?: number;
}

/** Parses the Prometheus text format into `name{labels}` → value (comments skipped). */
export function parsePrometheus(text: string): MetricSeries {
  const out: MetricSeries = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const value = Number(line.slice(cut + 1));
    if (cut > 0 && Number.isFinite(value)) out.set(line.slice(0, cut), value);
  }
  return out;
}

const label = (series: string, name: string) => new RegExp(`[{,]${name}="([^"]*)"`).exec(series)?.[1];

/** Cache results for key family `keyFamily` (e.g. "stats:risk") by tier, and all db statements. */
export function countersFrom(m: MetricSeries, keyFamily?: string): ServerCounters {
  const cache: Record<string, number> = {};
  let dbStatements = 0;
  for (const [series, v] of m) {
    if (series.startsWith('cache_results_total{') && (!keyFamily || label(series, 'key') === keyFamily)) {
      const tier = label(series, 'result') ?? '?';
      cache[tier] = (cache[tier] ?? 0) + v;
    } else if (series.startsWith('db_query_duration_seconds_count{')) dbStatements += v;
  }
  return { cache, dbStatements };
}

/** after − before, per field. */
export function counterDelta(before: ServerCounters, after: ServerCounters): ServerCounters {
  const cache: Record<string, number> = {};
  for (const [k, v] of Object.entries(after.cache)) {
    const d = v - (before.cache[k] ?? 0);
    if (d) cache[k] = d;
  }
  return { cache, dbStatements: after.dbStatements - before.dbStatements };
}

export type Scrape = { ok: true; series: MetricSeries } | { ok: false; error: string };

/** GET /metrics, or why it could not be read (the reports say so instead of guessing). */
export async function scrapeMetrics(baseUrl: string, apiKey: string): Promise<Scrape> {
  try {
    const res = await fetch(`${baseUrl}/metrics`, {
      headers: { 'x-api-key': apiKey },
      signal: AbortSignal.timeout(5_000),
    });
    const text = await res.text();
    if (!res.ok) return { ok: false, error: `GET /metrics answered ${res.status}: ${text.slice(0, 160)}` };
    return { ok: true, series: parsePrometheus(text) };
  } catch (err) {
    return { ok: false, error: `GET /metrics failed: ${(err as Error).message}` };
  }
}

/** Statements whose normalised SQL contains `fragment` (e.g. a table name). */
export function dbStatementsMatching(m: MetricSeries, fragment: string): number {
  let n = 0;
  for (const [series, v] of m)
    if (series.startsWith('db_query_duration_seconds_count{') && series.includes(fragment)) n += v;
  return n;
}
