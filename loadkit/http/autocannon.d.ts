// The part of autocannon 9's API the bench and load tests use (the package ships no types).
// Reference: https://github.com/mcollina/autocannon#api
declare module 'autocannon' {
  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
  }

  export interface AutocannonOptions {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Stop after this many responses (instead of a duration). */
    amount?: number;
    workers?: number;
    timeout?: number;
    headers?: Record<string, string>;
    requests?: AutocannonRequest[];
    /** Workers mode: an absolute path to a CommonJS module exporting the function. */
    setupClient?: string;
  }

  export interface AutocannonHistogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    total?: number;
    sent?: number;
  }

  export interface AutocannonResult {
    duration: number;
    start: string | Date;
    finish: string | Date;
    errors: number;
    timeouts: number;
    non2xx: number;
    resets: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    latency: AutocannonHistogram;
    requests: AutocannonHistogram;
    throughput: AutocannonHistogram;
  }

  export interface AutocannonInstance extends PromiseLike<AutocannonResult> {
    stop(): void;
    on(event: 'error', listener: (err: Error) => void): this;
  }

  export default function autocannon(opts: AutocannonOptions): AutocannonInstance;
}
