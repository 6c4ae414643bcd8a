// The worker thread of open-loop-thread.ts: one openLoop step, its result posted back. Plain
// JavaScript that loads the TypeScript generator through tsx, as the bench's own process does
// (a worker thread does not inherit the main thread's loader).
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { openLoop } = await import('./open-loop.ts');
openLoop(workerData).then(
  (result) => parentPort.postMessage({ ok: true, result }),
  (err) => parentPort.postMessage({ ok: false, error: err?.stack ?? String(err) }),
);
