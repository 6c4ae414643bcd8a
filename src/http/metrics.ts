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
  `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;

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
    .replace(/^SELECT ([^,]+), [^]{40,}? FROM /i, 'SELECT $1, … FROM ')
    .slice(0, 240);
}

export interface SlowQueryThresholds {
  warnMs: number;
  criticalMs: number;
}

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly cache = new Map<string, number>();
  private readonly db = new Map<string, Histogram>();
  private readonly errors = new Map<string, number>();

  constructor(
    private readonly slow: SlowQueryThresholds = { warnMs: 200, criticalMs: 1000 },
    private readonly log: (entry: Record<string, unknown>) => void = (e) => console.log(JSON.stringify(e)),
  ) {}

  request(route: string, method: string, status: number, ms: number) {
    const k = JSON.stringify([route, method, String(status)]);
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    const hk = JSON.stringify([route, method]);
    let h = this.latency.get(hk);
    if (!h) this.latency.set(hk, (h = new Histogram()));
    h.observe(ms);
  }

  cacheResult(key: string, source: string) {
    const k = JSON.stringify([key.split(':').slice(0, 2).join(':'), source]);
    this.cache.set(k, (this.cache.get(k) ?? 0) + 1);
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
    counter('http_requests_total', 'HTTP requests by route, method and status.', this.requests, ['route', 'method', 'status']);
    histo('http_request_duration_seconds', 'HTTP request latency by route.', this.latency, ['route', 'method']);
    counter('cache_results_total', 'Cache lookups by key family and the tier that answered.', this.cache, ['key', 'result']);
    histo('db_query_duration_seconds', 'Database statement latency by normalised pattern.', this.db, ['pattern']);
    const errs = new Map([...this.errors].map(([k, v]) => [JSON.stringify([k]), v]));
    counter('errors_total', 'Errors by kind.', errs, ['kind']);
    return `${out.join('\n')}\n`;
  }
}
