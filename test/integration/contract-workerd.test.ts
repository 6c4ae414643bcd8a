// The API contract against the production bundle under plain `workerd serve` (as production
// runs it), on the same real local stack: both runtimes must give the same answers.
import { afterAll, beforeAll, inject } from 'vitest';
import { readWorkerSettings } from '../../local/bundle.ts';
import { startWorkerdWorker } from '../../local/workerd-worker.ts';
import type { RunningWorker } from '../../local/miniflare-worker.ts';
import { describeContract } from '../support/contract.ts';

const stack = inject('stack');
const KEY = 'workerd-contract-key';
let worker: RunningWorker;

beforeAll(async () => {
  worker = await startWorkerdWorker({
    scriptPath: stack.scriptPath,
    settings: await readWorkerSettings(),
    secrets: {
      DATABASE_URL: stack.planetscale.url,
      UPSTASH_REDIS_REST_URL: stack.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: stack.upstash.token,
      API_KEYS: KEY,
      RATE_LIMITS: `${KEY}=unlimited`,
    },
  });
});

afterAll(async () => {
  await worker?.close();
});

describeContract('production bundle under plain workerd, real stack', () => ({
  send: (path, init) => fetch(new URL(path, worker.url), init),
  key: KEY,
}));
