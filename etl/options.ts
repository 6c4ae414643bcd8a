// What a run of the ETL is asked to do (EtlOptions), where it writes (EtlTarget), the defaults
// sized for this project's 2-core machines, and the phase timer of the run summary.
import { availableParallelism } from 'node:os';
import type { EncodingOption } from './read/encoding.ts';
import type { ProgressMode } from './report/progress.ts';
import type { RunLockOptions } from './dataset/run-lock.ts';
import type { ApiTarget } from './targets/api-rewarm.ts';
import type { EtlTarget } from './targets/connect.ts';

export { describeTarget, type EtlTarget } from './targets/connect.ts';

export type EtlMode = 'auto' | 'replace' | 'append';

export interface EtlOptions {
  /** The NHIS CSV to load. */
  input: string;
  target: EtlTarget;
  /** auto (default): make FILE the dataset unless it already is; replace: reload even so; append: add FILE. */
  mode?: EtlMode;
  /** Validate and report; write nothing (no database needed). */
  dryRun?: boolean;
  encoding?: EncodingOption;
  /** Worker threads. Default: ETL_DEFAULTS.workers. */
  workers?: number;
  /** INSERT statements in flight per worker (PlanetScale). Default: ETL_DEFAULTS.concurrency. */
  concurrency?: number;
  /** Bytes per INSERT statement (PlanetScale). Default: ETL_DEFAULTS.statementBytes. */
  statementBytes?: number;
  /** Target chunk size in bytes (default ETL_DEFAULTS.chunkBytes); or give chunkRows. */
  chunkBytes?: number;
  chunkRows?: number;
  log?: (line: string) => void;
  progress?: ProgressMode;
  /** Called as each chunk is stored (or validated, on a dry run). */
  onProgress?: (p: { bytes: number; totalBytes: number; rows: number }) => void;
  /** Where to re-warm the API's cached stats after the switch; null or absent: skipped, said so. */
  api?: ApiTarget | null;
  lock?: Partial<RunLockOptions>;
  /**
   * How long after a dataset was last live its rows may be removed (default REMOVAL_GRACE_MS,
   * 10 s: an API isolate may read it for its L1 lifetime and one database timeout more).
   */
  removalGraceMs?: number;
  signal?: AbortSignal;
}

/**
 * Node flags of the ETL's own process (`npm run etl` passes them; bench/etl spawns the CLI with
 * them). Its main thread allocates in a burst when it writes the page index at the end of a
 * load, and V8 then grows the young generation up to 16 MB a semi-space, which stayed in the
 * process's RSS: 254 MB at 5M rows against 220 MB at 1M. Kept at 2 MB, the RSS is flat (213 MB
 * at 5M) at no measurable CPU cost. The worker threads get their bounds from the pool.
 */
export const ETL_NODE_FLAGS = ['--max-semi-space-size=2'] as const;

/** Defaults sized for the 2-core machines of this project (see the report of bench/etl.ts). */
export const ETL_DEFAULTS = {
  workers: Math.max(2, Math.min(4, availableParallelism())),
  concurrency: 2,
  statementBytes: 512 << 10,
  chunkBytes: 4 << 20,
};

/** Wall time per named phase of a run, for its summary. */
export class PhaseTimer {
  readonly phases: Record<string, number> = {};
  private readonly t0 = performance.now();
  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      this.phases[phase] = Math.round((this.phases[phase] ?? 0) + performance.now() - t);
    }
  }
  total(): number {
    return Math.round(performance.now() - this.t0);
  }
}
