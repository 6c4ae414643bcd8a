// Faults through the real stack: the production bundle in Miniflare, its database (a PlanetScale
// gateway of its own, which injects Vitess's transient errors) and cache behind switchable
// proxies, and a Redis of its own that the test really stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readWorkerSettings } from '../../local/bundle.ts';
import { startMiniflareWorker, type RunningWorker } from '../../local/miniflare-worker.ts';
import { startPlanetScaleGateway, type RunningGateway as PlanetScaleGateway } from '../../local/planetscale-gateway.ts';
import { startUpstashGateway, type RunningGateway } from '../../local/upstash-gateway.ts';
import { createApp } from '../../src/app.ts';
import { createPlanetScaleStore } from '../../src/data/planetscale-store.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';
import { fakeCache } from '../support/fakes.ts';

const stack = inject('stack');
const KEY = 'fault-key';
let db: FaultProxy;
let cacheProxy: FaultProxy;
let redis: ChildProcess;
let upstash: RunningGateway;
let planetscale: PlanetScaleGateway;
let worker: RunningWorker;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const get = (path: string) => fetch(`${worker.url}${path}`, { headers: { 'X-API-KEY': KEY } });

beforeAll(async () => {
  const redisPort = await freePort();
  redis = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 300));
  upstash = await startUpstashGateway({ redisUrl: `redis://127.0.0.1:${redisPort}`, token: 'fault-token' });
  planetscale = await startPlanetScaleGateway({
    mysql: stack.mysql,
    database: stack.database,
    username: 'faults',
    password: 'fault-password',
  });
  db = await startFaultProxy(planetscale.url);
  cacheProxy = await startFaultProxy(upstash.url);
  worker = await startMiniflareWorker({
    scriptPath: stack.scriptPath,
    settings: await readWorkerSettings(),
    secrets: {
      DATABASE_URL: db.url,
      UPSTASH_REDIS_REST_URL: cacheProxy.url,
      UPSTASH_REDIS_REST_TOKEN: 'fault-token',
      API_KEYS: KEY,
      RATE_LIMITS: `${KEY}=unlimited`,
      DB_TIMEOUT_MS: '1000',
      CACHE_TIMEOUT_MS: '200',
      CACHE_L1_TTL_MS: '0',
    },
  });
});

afterAll(async () => {
  await worker?.close();
  await db?.close();
  await cacheProxy?.close();
  await upstash?.close();
  await planetscale?.close();
  redis?.kill('SIGKILL');
});

describe('faults through the real stack', () => {
  it('Redis stopped: stats still 200 (from the database), deep health says degraded', async () => {
    expect((await get('/stats/risk')).status).toBe(200);
    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    const res = await get('/stats/age');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('MISS');
    const again = await get('/stats/risk');
    expect(again.status).toBe(200);
    const deep = (await (await get('/health?deep=1')).json()) as {
      status: string;
      checks: { cache: { status: string } };
    };
    expect(deep.status).toBe('degraded');
    expect(deep.checks.cache.status).toBe('down');
  });

  it('database stopped: cached answers still served, uncached requests 503 with Retry-After', async () => {
    db.mode = 'pass';
    const warm = await get('/stats/risk');
    expect(warm.status).toBe(200);
    const body = await warm.text();
    db.mode = 'down';
    const cached = await get('/stats/risk');
    expect(cached.status).toBe(200);
    expect(await cached.text()).toBe(body);
    const uncached = await get('/records?page=3');
    expect(uncached.status).toBe(503);
    expect(uncached.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await uncached.json()).toEqual({
      error: 'Service Unavailable',
      message: 'The database is unavailable; retry shortly',
    });
    expect((await get('/health?deep=1')).status).toBe(503);
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
    db.mode = 'pass';
  });

  it('database slow: bounded by the timeout, no request hangs over 5 s', async () => {
    db.mode = 'slow';
    db.slowMs = 30_000;
    const t0 = Date.now();
    const res = await get('/records/1');
    const ms = Date.now() - t0;
    expect(res.status).toBe(503);
    expect(ms).toBeLessThan(5000);
    db.mode = 'pass';
  });

  it('a gateway returning garbage: 503, never 500', async () => {
    db.mode = 'garbage';
    const res = await get('/records?page=2');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('Service Unavailable');
    db.mode = 'pass';
    cacheProxy.mode = 'garbage';
    const stats = await get('/stats/age');
    expect(stats.status).toBe(200);
    cacheProxy.mode = 'pass';
  });

  it.each(['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'ABORTED'] as const)(
    'Vitess %s inside a 200 reply: 503 with Retry-After, a cached copy still served, counted by code',
    async (code) => {
      db.mode = 'pass';
      const warm = await get('/stats/age');
      expect(warm.status).toBe(200);
      const body = await warm.text();
      planetscale.faults.inject({ code, durationMs: 60_000 });
      try {
        const page = await get('/records?page=3&limit=7');
        expect(page.status).toBe(503);
        expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(await page.json()).toEqual({
          error: 'Service Unavailable',
          message: 'The database is unavailable; retry shortly',
        });
        expect((await get('/records/2')).status).toBe(503);
        const stale = await get('/stats/age'); // stale-if-error
        expect(stale.status).toBe(200);
        expect(await stale.text()).toBe(body);
      } finally {
        planetscale.faults.clear();
      }
      expect((await get('/records?page=3&limit=7')).status).toBe(200);
      const metrics = await (await get('/metrics')).text();
      expect(metrics).toMatch(
        new RegExp(`^errors_total\\{kind="database_unavailable_${code.toLowerCase()}"\\} [1-9]`, 'm'),
      );
    },
  );

  it('MariaDB stopped behind the gateway: the gateway answers UNAVAILABLE, the app 503 (it was a 500)', async () => {
    // A gateway whose MariaDB port has nothing listening: what a stopped server looks like to it.
    const dead = await startPlanetScaleGateway({
      mysql: { host: '127.0.0.1', port: await freePort(), user: 'root', password: '' },
      database: stack.database,
      username: 'dead',
      password: 'dead-password',
    });
    try {
      const app = createApp({
        apiKeys: [KEY],
        store: createPlanetScaleStore({ url: dead.url, timeoutMs: 2000 }),
        cache: fakeCache(),
        log: () => {},
      });
      const res = await app.request('/records?page=3&limit=7', { headers: { 'X-API-KEY': KEY } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(dead.statements().at(-1)?.code).toBe('UNAVAILABLE');
    } finally {
      await dead.close();
    }
  });

  it('a client that disconnects during the load of a key: a burst for that key is answered, none hangs', async () => {
    db.mode = 'pass';
    const path = '/records?age_group=7&gender=2&limit=3'; // its total is loaded once per isolate and key
    planetscale.faults.inject({ delayMs: 600, match: /record_counts/, count: 1 }); // the gateway holds that load
    const gone = new AbortController();
    const first = fetch(`${worker.url}${path}`, { headers: { 'X-API-KEY': KEY }, signal: gone.signal }).catch(
      (e: Error) => e,
    );
    await new Promise((r) => setTimeout(r, 150));
    gone.abort();
    expect(await first).toBeInstanceOf(Error);
    const t0 = Date.now();
    const burst = await Promise.all(Array.from({ length: 20 }, () => get(path)));
    expect(burst.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(Date.now() - t0).toBeLessThan(1000 + 1000); // DB_TIMEOUT_MS + 1 s
    const totals = new Set(
      await Promise.all(
        burst.map(async (r) => ((await r.json()) as { pagination: { total_items: number } }).pagination.total_items),
      ),
    );
    expect(totals.size).toBe(1);
  });
});
