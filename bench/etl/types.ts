// The shape of bench/reports/etl.json (written by `npm run bench:etl`, rendered by
// bench/report/etl-section.ts into PERFORMANCE.md) and of what the legs measure.

/** The ETL's two write paths: PlanetScale's HTTP API through the local gateway, and LOAD DATA over MySQL. */
export type EtlLeg = 'production' | 'mysql';

export interface GatewayFigures {
  cpuS: number | null;
  /** Peak resident set of the gateway process (VmHWM) in MB. */
  peakRssMb: number | null;
  /** Statements the gateway executed (its /__gateway/stats), else MariaDB's Com_insert delta. */
  statements: number | null;
  statementsFrom: 'gateway' | 'Com_insert' | null;
  cpuMsPerStatement: number | null;
}

/** What InnoDB still had to write when a step started, and how long the bench waited for it to settle. */
export interface Settled {
  dirtyPages: number;
  checkpointAgeMb: number;
  waitedMs: number;
}

/** One ETL run: the summary's figures and what /proc and the server counters said around it. */
export interface LegRun {
  /** The summary's totalMs: runEtl end to end. */
  totalMs: number;
  /** The child process's wall time (adds Node and tsx start-up). */
  wallMs: number;
  /** Until the new dataset was live: totalMs less the phases after `switch` (cleanup, cache). */
  liveMs: number;
  cleanupMs: number;
  phasesMs: Record<string, number>;
  workerMs: Record<string, number>;
  peakRssMb: number;
  etlCpuS: number | null;
  mariadbCpuS: number | null;
  redoMb: number;
  /** MariaDB's Com_insert delta (global: other clients of the server count too). */
  comInsert: number;
  gateway?: GatewayFigures;
  rows: number;
  workers: number;
  chunks: number;
  settled: Settled;
  rssSamplesMb?: number[] | undefined;
}

/** The production path's statements replayed straight into MariaDB (bench/etl/insert-floor.ts). */
export interface FloorRun {
  ms: number;
  rows: number;
  connections: number;
  mariadbCpuS: number | null;
  redoMb: number;
  settled: Settled;
}

export interface BareRun {
  ms: number;
  mariadbCpuS: number | null;
  redoMb: number;
  settled: Settled | null;
}

export interface Round {
  /** The order the legs ran in. */
  order: string[];
  bareTyped: BareRun;
  bareText: BareRun;
  production?: LegRun;
  mysql?: LegRun;
  floor?: FloorRun;
  /** 1-minute load average after the round: other work on the machine shows there. */
  loadavg: number;
}

/** Medians over the rounds of one leg. */
export interface LegSummary {
  etlMs: number;
  etlWallMs: number;
  /** Median of per-round ratios to the bare loads measured in the same round. */
  ratioVsTyped: number;
  ratioVsText: number;
  /** The largest over the rounds. */
  peakRssMb: number;
  etlCpuS: number | null;
  mariadbCpuS: number | null;
  gateway?: GatewayFigures;
}

export interface RowsResult {
  rows: number;
  fileMiB: number;
  rounds: number;
  median: { bareTypedMs: number; bareTextMs: number; bareTypedMariadbCpuS: number | null };
  legs: Partial<Record<EtlLeg, LegSummary>>;
  /**
   * The INSERT floor (medians): the production path's statements replayed into MariaDB, its ratio
   * to the bare typed load, and the production path over it (what the ETL and the gateway add).
   */
  floor?: { ms: number; ratioVsTyped: number; mariadbCpuS: number | null; productionOverFloor: number | null };
  /**
   * Replace loads into the production-path database after its first load: `second` onto one
   * dataset (nothing to remove yet), `steady` onto two (the previous-but-one is removed).
   */
  replace?: { second: LegRun; steady: LegRun };
  runs: Round[];
}

export interface Goal {
  criterion: string;
  measured: string;
  pass: boolean | null;
}

export interface EtlReport {
  date: string;
  machine: { cpus: number; node: string; mariadb: string };
  /** The server settings that shape the figures, as read (the bench never changes them). */
  server: Record<string, string>;
  options: Record<string, string>;
  goals: Goal[];
  note: string;
  results: RowsResult[];
}
