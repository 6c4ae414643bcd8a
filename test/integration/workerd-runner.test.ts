// The production bundle under plain `workerd serve` (local/workerd-worker.ts): starts, reaches a fake
// PlanetScale/Upstash on 127.0.0.1, answers as under Miniflare; the ceiling Worker runs on both.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, readWorkerSettings, type WorkerSettings } from '../../local/bundle.ts';
import { startMiniflareWorker, type RunningWorker, type WorkerSecrets } from '../../local/miniflare-worker.ts';
import { startWorkerdWorker } from '../../local/workerd-worker.ts';
import { CEILING_BODY, startCeilingWorker, type WorkerRuntime } from '../../bench/http/ceiling-worker.ts';

const API_KEY = 'test-key';
const DB_USER = 'fake-user';
const DB_PASSWORD = 'fake-pass';
const CACHE_TOKEN = 'fake-token';

interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Plays PlanetScale's HTTP API (database-js POSTs /psdb.v1alpha1.Database/Execute with Basic auth)
 * and Upstash's REST API (POST / with a Bearer token and a JSON command array) just enough for
 * `SELECT 1` and `PING`, recording every request.
 */
async function startFakeBackends(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      seen.push({ method: req.method ?? '', path, headers: req.headers, body });
      res.setHeader('content-type', 'application/json');
      if (path === '/psdb.v1alpha1.Database/Execute') {
        const ok = req.headers.authorization === `Basic ${Buffer.from(`${DB_USER}:${DB_PASSWORD}`).toString('base64')}`;
        if (!ok)
          return void res
            .writeHead(401)
            .end(JSON.stringify({ error: { code: 'unauthenticated', message: 'bad auth' } }));
        return void res.end(
          JSON.stringify({
            session: { signature: 'fake' },
            result: {
              fields: [{ name: 'ok', type: 'INT64' }],
              rows: [{ lengths: ['1'], values: Buffer.from('1').toString('base64') }],
            },
            timing: 0.0001,
          }),
        );
      }
      if (path === '/cache' || path === '/cache/') {
        if (req.headers.authorization !== `Bearer ${CACHE_TOKEN}`)
          return void res.writeHead(401).end(JSON.stringify({ error: 'Unauthorized' }));
        // Only PING; anything else (e.g. the rate limiter's background EVALSHA, which fails open) errs.
        if (body.toLowerCase() === '["ping"]') return void res.end(JSON.stringify({ result: 'PONG' }));
        return void res.writeHead(400).end(JSON.stringify({ error: 'ERR the fake answers PING only' }));
      }
      res.writeHead(404).end(JSON.stringify({ error: 'not found' }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

let dir: string;
let scriptPath: string;
let settings: WorkerSettings;
let fake: Awaited<ReturnType<typeof startFakeBackends>>;
let secrets: WorkerSecrets;
const running: RunningWorker[] = [];
let workerd: RunningWorker;
let miniflare: RunningWorker;

async function track(p: Promise<RunningWorker>): Promise<RunningWorker> {
  const w = await p;
  running.push(w);
  return w;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'workerd-runner-test-'));
  [scriptPath, settings, fake] = await Promise.all([
    buildBundle(join(dir, 'build')),
    readWorkerSettings(),
    startFakeBackends(),
  ]);
  const dbUrl = new URL(fake.url);
  dbUrl.username = DB_USER;
  dbUrl.password = DB_PASSWORD;
  secrets = {
    DATABASE_URL: dbUrl.toString().replace(/\/$/, ''),
    UPSTASH_REDIS_REST_URL: `${fake.url}/cache`,
    UPSTASH_REDIS_REST_TOKEN: CACHE_TOKEN,
    API_KEYS: API_KEY,
  };
  // One after the other: two cores, and each runtime compiles the bundle at start.
  workerd = await track(startWorkerdWorker({ scriptPath, settings, secrets }));
  miniflare = await track(startMiniflareWorker({ scriptPath, settings, secrets }));
});

afterAll(async () => {
  for (const w of running.reverse()) await w.close().catch(() => {});
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const get = (w: RunningWorker, path: string, key?: string) =>
  fetch(new URL(path, w.url), { headers: key ? { 'x-api-key': key } : {} });

describe('production bundle under workerd serve', () => {
  it('listens on 127.0.0.1 and answers /health', async () => {
    expect(new URL(workerd.url).hostname).toBe('127.0.0.1');
    expect(workerd.url).toBe(`http://127.0.0.1:${workerd.port}`);
    const res = await get(workerd, '/health');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers 401 to /health?deep=1 without a key, without calling out', async () => {
    const before = fake.seen.length;
    const res = await get(workerd, '/health?deep=1');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'Unauthorized', message: 'Invalid or missing API key' });
    expect(fake.seen.length).toBe(before);
  });

  it('reaches the database and cache on 127.0.0.1 (explicit network service) with the secrets it was given', async () => {
    const before = fake.seen.length;
    const res = await get(workerd, '/health?deep=1', API_KEY);
    const body = (await res.json()) as {
      status: string;
      checks: { database: { status: string }; cache: { status: string } };
    };
    expect(body.checks.database.status).toBe('ok');
    expect(body.checks.cache.status).toBe('ok');
    expect(body.status).toBe('ok');
    expect(res.status).toBe(200);

    const calls = fake.seen.slice(before);
    const db = calls.find((c) => c.path === '/psdb.v1alpha1.Database/Execute');
    expect(db?.method).toBe('POST');
    expect(JSON.parse(db!.body)).toMatchObject({ query: 'SELECT 1 AS ok' });
    const ping = calls.find((c) => c.path.startsWith('/cache') && c.body.toLowerCase() === '["ping"]');
    expect(ping?.headers.authorization).toBe(`Bearer ${CACHE_TOKEN}`);
  });

  it('is built without esbuild keep-names: no name-restoring helper on every function created per request', async () => {
    // With keep_names (wrangler's default) every nested function gets `__name(fn, "...")`, an
    // Object.defineProperty per call: Hono's per-request dispatch closures paid it on every request.
    const text = await readFile(scriptPath, 'utf8');
    expect(text).not.toMatch(/"name",\{value:\w+,configurable:!0\}/);
    expect(text).toContain('Endpoint not found'); // the text searched is the minified bundle
  });

  it('binds the vars of the settings it is given (from wrangler.toml)', async () => {
    expect(settings.vars.DB_TIMEOUT_MS).toBeDefined();
    const bad = await track(
      startWorkerdWorker({
        scriptPath,
        settings: { ...settings, vars: { ...settings.vars, DB_TIMEOUT_MS: 'not-a-number' } },
        secrets,
      }),
    );
    const res = await get(bad, '/health');
    expect(res.status).toBe(503); // the Worker read our var: config validation rejects it
    expect(await res.json()).toMatchObject({ error: 'Service Unavailable', message: 'The service is misconfigured' });
    await bad.close();
  });
});

describe('workerd and Miniflare give the same answers', () => {
  for (const [path, key] of [
    ['/health', undefined],
    ['/nope', undefined],
    ['/nope', API_KEY],
    ['/health?deep=1', undefined],
  ] as const) {
    it(`${path}${key ? ' (with key)' : ''}`, async () => {
      const [a, b] = await Promise.all([get(workerd, path, key), get(miniflare, path, key)]);
      expect(a.status).toBe(b.status);
      expect(a.headers.get('content-type')).toBe(b.headers.get('content-type'));
      expect(await a.text()).toBe(await b.text());
    });
  }

  it('/nope is the contract 404', async () => {
    const res = await get(workerd, '/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not Found', message: 'Endpoint not found' });
  });
});

describe('ceiling Worker', () => {
  for (const runtime of ['workerd', 'miniflare'] satisfies WorkerRuntime[]) {
    it(`answers under ${runtime}`, async () => {
      const ceiling = await track(startCeilingWorker({ runtime, dir, settings }));
      const res = await fetch(ceiling.url);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(CEILING_BODY);
      await ceiling.close();
    });
  }
});

describe('workerd runner lifecycle', () => {
  it('serves on the port it is given', async () => {
    const probe = createServer();
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((ok) => probe.close(() => ok()));
    const w = await track(startWorkerdWorker({ scriptPath, settings, secrets, port }));
    expect(w.port).toBe(port);
    expect((await get(w, '/health')).status).toBe(200);
    await w.close();
  });

  it('close() stops workerd and removes its config (which holds secrets)', async () => {
    const name = `close-test-${process.pid}-${Date.now()}`;
    const before = new Set(await tmpWorkerdDirs());
    const w = await startWorkerdWorker({ scriptPath, settings: { ...settings, name }, secrets });
    const created = (await tmpWorkerdDirs()).filter((d) => !before.has(d));
    const configs = await Promise.all(
      created.map((d) => readFile(join(tmpdir(), d, 'config.capnp'), 'utf8').catch(() => '')),
    );
    const mine = created.filter((_, i) => configs[i]!.includes(name));
    expect(mine).toHaveLength(1);
    expect((await stat(join(tmpdir(), mine[0]!, 'config.capnp'))).mode & 0o077).toBe(0);
    await w.close();
    await w.close(); // idempotent
    await expect(fetch(w.url)).rejects.toThrow();
    expect(await tmpWorkerdDirs()).not.toContain(mine[0]);
  });

  it("reports workerd's own error when the Worker cannot start", async () => {
    const broken = join(dir, 'broken.js');
    await writeFile(broken, 'export default { fetch() { return new Response("x") }\n');
    await expect(
      startWorkerdWorker({ scriptPath: broken, settings: { ...settings, name: 'broken' }, secrets }),
    ).rejects.toThrow(/exited early[\s\S]*SyntaxError/);
  });
});

async function tmpWorkerdDirs(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((d) => d.startsWith('workerd-') && !d.startsWith('workerd-runner-test-'));
}
