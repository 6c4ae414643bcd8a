// Runs one fixed-rate step (open-loop.ts) on a worker thread of its own, as autocannon runs the
// saturation runs: the main thread of a bench also serves the local gateways and reads the
// runtimes' output, and any pause there would be counted as the server's latency.
import { Worker } from 'node:worker_threads';
import type { OpenLoopOptions, OpenLoopResult } from './open-loop.ts';

const WORKER = new URL('./open-loop-worker.mjs', import.meta.url);

/** openLoop(opts) on a worker thread (its TypeScript loaded through tsx, a dev dependency). */
export function openLoopOnThread(opts: OpenLoopOptions): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: opts });
    let result: OpenLoopResult | undefined;
    worker.once('message', (m: { ok: true; result: OpenLoopResult } | { ok: false; error: string }) => {
      if (m.ok) result = m.result;
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`open-loop worker exited with code ${code} and no result`)),
    );
  });
}
