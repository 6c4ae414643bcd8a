// The API contract against the production bundle under plain `workerd serve` (as production
// runs it), on the same real local stack: both runtimes must give the same answers.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { readWorkerSettings } from '../../local/bundle.ts';
import { startWorkerdWorker } from '../../local/workerd-worker.ts';
import type { RunningWorker } from '../../local/miniflare-worker.ts';
import { describeContract } from '../support/contract.ts';
import { sendOnFreshConnection } from '../support/fresh-connection.ts';
import { missBurst } from '../support/stampede.ts';

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
  sendAlone: sendOnFreshConnection(worker.url),
  key: KEY,
}));

it('GET /metrics reports the database statements the real store ran, by pattern', async () => {
  const headers = { 'X-API-KEY': KEY };
  const list = (await (await fetch(new URL('/records?limit=1', worker.url), { headers })).json()) as {
    data: { id: number }[];
  };
  expect((await fetch(new URL(`/records/${list.data[0]?.id}`, worker.url), { headers })).status).toBe(200);
  const res = await fetch(new URL('/metrics', worker.url), { headers });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toMatch(
    /^db_query_duration_seconds_count\{pattern="SELECT id, … FROM health_records WHERE dataset_id = \? AND id = \?[^"]*"\} [1-9]\d*$/m,
  );
  expect(text).toContain('http_requests_total{route="/records/:id",method="GET",status="200"}');
});

it('a burst of concurrent misses on one key: every request gets its own complete answer', async () => {
  await missBurst((path, init) => fetch(new URL(path, worker.url), init), KEY, stack.upstash, 17, true);
});
