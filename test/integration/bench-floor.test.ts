// The bench's floor Worker (bench/http/floor-entry.ts), built like the production bundle and served
// by both runtimes: the API's common headers on every answer, and a POST that really reads its
// body under the contract's rules (so the floor costs what any endpoint of the contract costs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, buildBundle, readWorkerSettings, type WorkerSettings } from '../../local/bundle.ts';
import { WORKER_RUNTIMES, type WorkerRuntime } from '../../bench/http/ceiling-worker.ts';
import type { RunningWorker, WorkerSecrets } from '../../local/miniflare-worker.ts';
import { MAX_BODY_BYTES } from '../../src/http/json-body.ts';
import { JSON_TYPE, SECURITY_HEADERS } from '../../src/http/respond.ts';
import { simulateBodies } from '../../loadkit/inputs.ts';

const SECRETS: WorkerSecrets = {
  DATABASE_URL: '',
  UPSTASH_REDIS_REST_URL: '',
  UPSTASH_REDIS_REST_TOKEN: '',
  API_KEYS: '',
};
let dir: string;
let scriptPath: string;
let settings: WorkerSettings;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nhis-floor-test-'));
  settings = await readWorkerSettings();
  scriptPath = await buildBundle(dir, 'production', join(ROOT, 'bench', 'http', 'floor-entry.ts'));
}, 120_000);
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function expectCommonHeaders(res: Response) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
  expect(res.headers.get('content-type')).toBe(JSON_TYPE);
  expect(res.headers.get('x-request-id')).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  expect(res.headers.get('x-response-time')).toMatch(/^\d+ms$/);
  expect(res.headers.get('server-timing')).toMatch(/^total;dur=\d+\.\d$/);
}

describe.each(['workerd', 'miniflare'] satisfies WorkerRuntime[])('floor Worker under %s', (runtime) => {
  let w: RunningWorker;
  beforeAll(async () => {
    w = await WORKER_RUNTIMES[runtime]({ scriptPath, settings, secrets: SECRETS });
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });
  const post = (body: string, type = 'application/json') =>
    fetch(`${w.url}/`, { method: 'POST', headers: { 'content-type': type }, body });

  it('answers GET / with the common headers', async () => {
    const res = await fetch(`${w.url}/`);
    expect(res.status).toBe(200);
    expectCommonHeaders(res);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it("answers POST / with the bench's /simulate bodies", async () => {
    for (const body of simulateBodies(3)) {
      const res = await post(JSON.stringify(body));
      expect(res.status).toBe(200);
      expectCommonHeaders(res);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
  });

  it('reads the POST body under the contract rules', async () => {
    const wrongType = await post('{}', 'text/plain');
    expect(wrongType.status).toBe(415);
    expect(await wrongType.json()).toEqual({
      error: 'Unsupported Media Type',
      message: 'Content-Type must be application/json',
    });
    const malformed = await post('{"age_group": ');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { message: string }).message).toMatch(/^Malformed JSON/);
    const large = await post(JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) }));
    expect(large.status).toBe(413);
    expectCommonHeaders(large);
  });
});
