// The JSON a load test writes (load-tests/reports/<timestamp>-<scenario>.json) and the renderer
// reads, for this run and as "the previous run" of the next one.
import type { ErrorSample } from '../../bench/http/load.ts';
import type { HttpFigures, SecondPoint } from '../../bench/http/summary.ts';
import type { ThresholdResult } from '../thresholds.ts';

export interface FiguresWithFailures extends HttpFigures {
  /** (non-2xx/3xx responses + connection errors) ÷ attempts. */
  failedRate: number;
}

export interface LoadTestResult {
  schemaVersion: 1;
  scenario: string;
  summary: string;
  /** ISO time the traffic started. */
  startedAt: string;
  /** File name stem of this report (<timestamp>-<scenario>). */
  id: string;
  durationS: number;
  target: {
    url: string;
    kind: 'local-stack' | 'local-started' | 'explicit';
    runtime: string | null;
  };
  machine: {
    cpuModel: string;
    cores: number;
    node: string;
    autocannon: string;
    loadAvgStart: number[];
    loadAvgEnd: number[];
  };
  settings: {
    plannedDurationS: number;
    stages: { label: string; connections: number; durationS: number; startS: number }[];
    traffic: string;
    /** Share of each endpoint in the request list, %. */
    weights: { endpoint: string; weight: number }[];
    distinctRequests: number;
  };
  overall: FiguresWithFailures;
  endpoints: ({ endpoint: string } & FiguresWithFailures)[];
  stages: ({ label: string; connections: number } & FiguresWithFailures)[];
  timeline: SecondPoint[];
  /** Vertical lines on the charts (stage changes, cache invalidations), seconds since start. */
  markers: { at: number; label: string }[];
  thresholds: ThresholdResult[];
  pass: boolean;
  errorSamples: ErrorSample[];
  connectionErrors: { kind: string; count: number }[];
  /** Things the reader must know (a check that could not run, a fallback taken). */
  notes: string[];
}
