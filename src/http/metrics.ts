// In-isolate metrics in the Prometheus text format (GET /metrics): requests and latency by
// route and status, cache results by tier, database latency by query pattern, errors by kind.
// Each isolate counts its own traffic; a scraper sums isolates (Workers have no shared memory).

const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2500, 5000] as const;

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  sum = 0;
  n = 0;
  observe(ms: number) {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]!) i++;
    this.counts[i]!++;
    this.sum += ms;
    this.n++;
  }
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(',')}}`;

/**
 * Collapse a SQL statement to its pattern: literals and whitespace runs do not make new series,
 * and a long select list shrinks to its first column, so the part that tells statements apart
 * (FROM, WHERE, ORDER BY) fits in the label.
 */
export function normaliseSql(sql: string): string {
  return sql
    .replace(/'(?:[^'\\]|\\.)*'/g, '?')
    .replace(/\b\d+\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^SELECT ([^,]+), [\s\S]{40,}? FROM /i, 'SELECT $1, … FROM ')
    .slice(0, 240);
}

export interface SlowQueryThresholds {
  warnMs: number;
  criticalMs: number;
}

/** One route and method: its latency and its responses by status. */
interface RouteSeries {
  latency: Histogram;
  statuses: Map<number, number>;
}

/** `outer → inner → value` with the entry created on first use. */
function nested<K1, K2, V>(m: Map<K1, Map<K2, V>>, a: K1, b: K2, create: () => V): V {
  let inner = m.get(a);
  if (!inner) m.set(a, (inner = new Map()));
  let v = inner.get(b);
  if (v === undefined) inner.set(b, (v = create()));
  return v;
}

export class Metrics {
  // Counted in nested maps (route → method → series, key family → tier → count): recording a
  // request or a cache result allocates nothing once its series exists; render() builds the labels.
  private readonly routes = new Map<string, Map<string, RouteSeries>>();
  private readonly cache = new Map<string, Map<string, { n: number }>>();
  /** Cache key → its family (the first two parts, e.g. `stats:risk`). */
  private readonly families = new Map<string, string>();
  private readonly db = new Map<string, Histogram>();
  private readonly errors = new Map<string, number>();
  /** HTTP requests to Upstash by client (`cache`, `rate_limit`): each one command, as Upstash bills them. */
  private readonly upstash = new Map<string, number>();

  constructor(
    private readonly slow: SlowQueryThresholds = { warnMs: 200, criticalMs: 1000 },
    private readonly log: (entry: Record<string, unknown>) => void = (e) => console.log(JSON.stringify(e)),
  ) {}

  request(route: string, method: string, status: number, ms: number) {
    const s = nested(this.routes, route, method, () => ({
      latency: new Histogram(),
      statuses: new Map<number, number>(),
    }));
    s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
    s.latency.observe(ms);
  }

  cacheResult(key: string, source: string) {
    let family = this.families.get(key);
    if (family === undefined) {
      family = key.split(':').slice(0, 2).join(':');
      if (this.families.size < 256) this.families.set(key, family);
    }
    nested(this.cache, family, source, () => ({ n: 0 })).n++;
  }

  /** SQL text → pattern: the store's statements are a handful of fixed texts (values are bound). */
  private readonly patterns = new Map<string, string>();

  /** Times one statement; logs it when slow (warning / critical thresholds). */
  query(sql: string, ms: number, failed: boolean) {
    let pattern = this.patterns.get(sql);
    if (pattern === undefined) {
      pattern = normaliseSql(sql);
      if (this.patterns.size < 256) this.patterns.set(sql, pattern);
    }
    // Series keys are JSON arrays of label values, as everywhere here (render() decodes them).
    const k = JSON.stringify([pattern]);
    let h = this.db.get(k);
    if (!h) this.db.set(k, (h = new Histogram()));
    h.observe(ms);
    if (failed) this.error('database');
    if (ms >= this.slow.warnMs) {
      this.log({ level: ms >= this.slow.criticalMs ? 'critical' : 'warn', msg: 'slow query', pattern, ms });
    }
  }

  error(kind: string) {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  upstashCommand(client: string) {
    this.upstash.set(client, (this.upstash.get(client) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    const histo = (name: string, help: string, series: Map<string, Histogram>, names: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      for (const [k, h] of series) {
        const base = Object.fromEntries(names.map((n, i) => [n, (JSON.parse(k) as string[])[i]!]));
        let cum = 0;
        LATENCY_BUCKETS_MS.forEach((b, i) => {
          cum += h.counts[i]!;
          out.push(`${name}_bucket${labels({ ...base, le: String(b / 1000) })} ${cum}`);
        });
        out.push(`${name}_bucket${labels({ ...base, le: '+Inf' })} ${h.n}`);
        out.push(`${name}_sum${labels(base)} ${h.sum / 1000}`, `${name}_count${labels(base)} ${h.n}`);
      }
    };
    const counter = (name: string, help: string, series: Map<string, number>, names: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const [k, v] of series) {
        const l = Object.fromEntries(names.map((n, i) => [n, (JSON.parse(k) as string[])[i]!]));
        out.push(`${name}${labels(l)} ${v}`);
      }
    };
    const requests = new Map<string, number>();
    const latency = new Map<string, Histogram>();
    for (const [route, byMethod] of this.routes) {
      for (const [method, series] of byMethod) {
        latency.set(JSON.stringify([route, method]), series.latency);
        for (const [status, n] of series.statuses) requests.set(JSON.stringify([route, method, String(status)]), n);
      }
    }
    const cache = new Map<string, number>();
    for (const [family, bySource] of this.cache)
      for (const [source, c] of bySource) cache.set(JSON.stringify([family, source]), c.n);
    counter('http_requests_total', 'HTTP requests by route, method and status.', requests, [
      'route',
      'method',
      'status',
    ]);
    histo('http_request_duration_seconds', 'HTTP request latency by route.', latency, ['route', 'method']);
    counter('cache_results_total', 'Cache lookups by key family and the tier that answered.', cache, ['key', 'result']);
    histo('db_query_duration_seconds', 'Database statement latency by normalised pattern.', this.db, ['pattern']);
    const errs = new Map([...this.errors].map(([k, v]) => [JSON.stringify([k]), v]));
    counter('errors_total', 'Errors by kind.', errs, ['kind']);
    const commands = new Map([...this.upstash].map(([k, v]) => [JSON.stringify([k]), v]));
    counter(
      'upstash_commands_total',
      'Upstash commands sent, by client (cache, rate_limit); Upstash bills per command.',
      commands,
      ['client'],
    );
    let answered = 0;
    for (const n of requests.values()) answered += n;
    let sent = 0;
    for (const n of this.upstash.values()) sent += n;
    out.push(
      '# HELP upstash_commands_per_request Upstash commands sent per HTTP request answered, since this isolate started.',
      '# TYPE upstash_commands_per_request gauge',
      `upstash_commands_per_request ${answered ? Math.round((sent / answered) * 10_000) / 10_000 : 0}`,
    );
    return `${out.join('\n')}\n`;
  }
}
