// The JSON a bench run writes (bench/reports/performance.json) and the renderer reads: every
// figure measured in the run, plus what is needed to say where and how it was measured.
import type { PausesResult } from './pauses.ts';
import type { ServerCounters } from '../../loadkit/http/server-counters.ts';
import type { HttpFigures } from '../../loadkit/http/summary.ts';
import type { MicroResult } from '../micro/run-micro.ts';
import type { FetchFloorResult } from './fetch-floor.ts';
import type { FixedRateResult } from './fixed-rate.ts';

export type Runtime = 'workerd' | 'miniflare';

/** Where a run's traffic went. */
export type Instance = 'ceiling' | 'floor' | 'api' | 'uncached';

export interface EndpointResult {
  id: string;
  label: string;
  method: 'GET' | 'POST';
  /** A representative path (the first of the request list). */
  path: string;
  instance: Instance;
  /** How many distinct requests the connections cycle through. */
  distinctRequests: number;
  /** Connections of this run when not the run's default (e.g. 1: one request at a time). */
  connections?: number;
  figures: HttpFigures;
  /** req/s ÷ the same runtime's ceiling req/s (mean of its runs); null for the ceiling itself. */
  ratioToCeiling: number | null;
  server: ServerCounters | null;
  /** Why `server` is null when the Worker's GET /metrics could not be read. */
  serverError?: string;
  /** 1-minute load average when the run started (other work on the shared machine). */
  loadAvg1: number;
  /** A few error responses (distinct status and body), as the client got them. */
  errorSamples?: { status: number; path: string; body: string }[];
  /** JSON log lines the Worker wrote during warm-up and run (errors, slow queries), with a few samples. */
  workerLog: { lines: number; samples: string[] };
}

export interface RuntimeResult {
  runtime: Runtime;
  /** The hello-world Worker, measured first and again last (drift on a shared machine). */
  ceiling: HttpFigures;
  ceilingAfter: HttpFigures | null;
  endpoints: EndpointResult[];
}

export interface BenchEnvironment {
  cpuModel: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  workerd: string;
  miniflare: string;
  autocannon: string;
  tinybench: string;
  /** os.loadavg() when the run started and ended: other work on the machine. */
  loadAvgStart: number[];
  loadAvgEnd: number[];
  datasetRows: number;
  validRecords: number;
  database: string;
  redisDb: number;
}

export interface HttpSettings {
  connections: number;
  durationS: number;
  warmupS: number;
  workers: number;
  recordsLastPage: number;
  recordIdPool: number;
}

/** One target's instructions per response under callgrind (bench/http/instructions.ts). */
export interface InstructionFigures {
  id: string;
  label: string;
  /** The median of the windows' instructions per response. */
  perResponse: number;
  /** Instructions per response of each counted window. */
  windows: number[];
  /** The ceiling's instructions per response ÷ this target's; null for the ceiling itself. */
  ratioToCeiling: number | null;
  /** Responses of warm-up and per window, when not the run's (an endpoint with a callgrindShare). */
  warmup?: number;
  perWindow?: number;
}

/** POST /simulate/batch's instructions per person against one POST /simulate response (bench/report/batch.ts). */
export interface BatchPerPerson {
  /** Persons in each batch request. */
  persons: number;
  /** Instructions per batch response. */
  batchPerResponse: number;
  /** batchPerResponse ÷ persons, rounded. */
  perPerson: number;
  /** Instructions per POST /simulate response in the same run. */
  simulatePerResponse: number;
  /** Per person ÷ one /simulate response. */
  ratio: number;
  /** The most `ratio` may be. */
  target: number;
  pass: boolean;
}

export interface InstructionsResult {
  /** valgrind's version; null when it could not be used (see `skipped`). */
  tool: string | null;
  skipped?: string;
  warmup: number;
  perWindow: number;
  windows: number;
  connections: number;
  ceiling: InstructionFigures | null;
  endpoints: InstructionFigures[];
  /** Present when both the batch and /simulate were counted. */
  batchPerPerson?: BatchPerPerson | null;
}

export interface PerformanceResult {
  schemaVersion: 1;
  /** ISO time the run started. */
  startedAt: string;
  totalSeconds: number;
  quick: boolean;
  environment: BenchEnvironment;
  http: HttpSettings;
  micro: MicroResult[];
  runtimes: RuntimeResult[];
  /** Instructions per response under plain workerd (callgrind); absent when not run. */
  instructions?: InstructionsResult | null;
  /** Latency at fixed offered loads under plain workerd (bench/http/fixed-rate.ts); absent when not run. */
  fixedRate?: FixedRateResult | null;
  /** What stops the isolate: stalls beside V8's GC trace (bench/report/pauses.ts); absent when not run. */
  pauses?: PausesResult | null;
  /** Database-backed endpoints against the fetch floor (bench/report/fetch-floor.ts); absent when not run. */
  fetchFloor?: FetchFloorResult | null;
  /** bench/reports/etl.json as the ETL benchmark wrote it, when present. */
  etl: Record<string, unknown> | null;
}
