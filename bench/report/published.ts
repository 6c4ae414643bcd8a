// The replaced Flask service's PUBLISHED figures, quoted from its performance report
// (dated 2026-02-17; docs/measuring.md#the-replaced-services-figures): measured on other hardware
// against a remote database, some computed rather than measured. Never a side-by-side measurement
// with this run.

export interface PublishedFigure {
  what: string;
  published: string;
  how: string;
}

export const PUBLISHED_CONDITIONS =
  'macOS (Apple Silicon), 16 GB RAM; MySQL on Railway (remote, yamanote.proxy.rlwy.net); Redis local; Flask + Gunicorn (2 workers × 2 threads); 1,000,000 rows.';

export const PUBLISHED: readonly PublishedFigure[] = [
  { what: 'POST /simulate', published: '12 ms', how: 'average response time of single requests (`time curl`)' },
  {
    what: 'POST /simulate throughput',
    published: '~166 req/s',
    how: 'computed, not measured: 1 / 12 ms ≈ 83 req/s per process × 2 Gunicorn workers',
  },
  { what: 'GET /stats/risk, cached', published: '4 ms', how: 'average of cache hits' },
  { what: 'GET /stats/age, cached', published: '4 ms', how: 'average of cache hits' },
  {
    what: 'GET /stats/risk, uncached',
    published: '1,744 ms',
    how: 'average of cache misses (aggregation query on the remote database)',
  },
  { what: 'GET /stats/age, uncached', published: '2,177 ms', how: 'average of cache misses (aggregation + JOIN)' },
  { what: 'GET /records?page=1&limit=20', published: '305 ms', how: 'average, before caching' },
  { what: 'GET /records/{id}', published: '187 ms', how: 'average, before caching' },
  { what: 'GET /health', published: '8 ms', how: 'average' },
  { what: 'cached stats throughput', published: '~250 req/s', how: 'stated in the summary table; no method given' },
  {
    what: 'ETL load (CSV → raw table)',
    published: '6,033 rows/s',
    how: '1,000,000 rows in 165 s, pandas chunks of 10,000',
  },
  { what: 'ETL process (risk calculation + cleaning)', published: '594 rows/s', how: '1,000,000 rows in 1,684 s' },
];

/** The same service re-run on machines of this kind (docs/measuring.md): context, also not from this run. */
export const DESIGN_NOTE =
  'docs/measuring.md ("The replaced service\'s figures") notes that the replaced service, run on these machines with the same load, does ~8k req/s on /simulate, ~4–7k req/s on cached stats, ~3 req/s on /records at 1M rows (p50 ~4 s), and takes ~240 s for a 1M-row ETL. Those figures are not from this run either.';
