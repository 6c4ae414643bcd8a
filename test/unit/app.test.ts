// The app in-process (app.request) with fake adapters: the whole contract, plus cost checks.
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { describeContract } from '../support/contract.ts';
import { fakeCache, fakeStore, type FakeCache, type FakeStore } from '../support/fakes.ts';

let store: FakeStore;
let cache: FakeCache;
let app: ReturnType<typeof createApp>;
const logs: Record<string, unknown>[] = [];

beforeEach(() => {
  store = fakeStore();
  cache = fakeCache();
  logs.length = 0;
  app = createApp({ apiKeys: ['k1', 'test-key'], store, cache, log: (e) => logs.push(e) });
});

describeContract('in-process with fakes', () => ({ send: async (p, init) => app.request(p, init), key: 'test-key' }));

const auth = { headers: { 'X-API-KEY': 'k1' } };

describe('costs and degradation', () => {
  it('/simulate never touches the store or the cache', async () => {
    await app.request('/simulate', {
      method: 'POST',
      headers: { 'X-API-KEY': 'k1', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        age_group: 9,
        gender: 2,
        height: 160,
        weight: 55,
        systolic_bp: 118,
        diastolic_bp: 76,
        fasting_glucose: 92,
        total_cholesterol: 190,
        triglycerides: 90,
        hdl_cholesterol: 60,
        smoking_status: 'never',
      }),
    });
    expect(store.calls).toEqual({});
    expect(cache.calls).toEqual({});
  });

  it('/health makes no database call', async () => {
    await app.request('/health');
    expect(store.calls).toEqual({});
  });

  it('a cache hit makes zero database calls, from either tier', async () => {
    expect((await app.request('/stats/risk', auth)).headers.get('x-cache')).toBe('MISS');
    const before = { ...store.calls };
    const l1 = await app.request('/stats/risk', auth);
    expect(l1.headers.get('x-cache')).toBe('HIT-L1');
    // Another isolate (a new app) shares only L2.
    const other = createApp({ apiKeys: ['k1'], store, cache });
    const l2 = await other.request('/stats/risk', auth);
    expect(l2.headers.get('x-cache')).toBe('HIT-L2');
    expect(await l2.text()).toBe(await l1.text());
    // The new isolate reads the dataset pointer once, and no dataset table.
    expect(store.calls).toEqual({ ...before, liveDataset: before.liveDataset! + 1 });
  });

  it('GET /metrics needs the key and reports requests, cache tiers and errors', async () => {
    expect((await app.request('/metrics')).status).toBe(401);
    await app.request('/stats/risk', auth);
    await app.request('/stats/risk', auth);
    await app.request('/nope');
    const res = await app.request('/metrics', auth);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    expect(text).toContain('http_requests_total{route="/stats/risk",method="GET",status="200"} 2');
    expect(text).toContain('http_requests_total{route="unmatched",method="GET",status="404"} 1');
    expect(text).toContain('cache_results_total{key="stats:risk",result="MISS"} 1');
    expect(text).toContain('cache_results_total{key="stats:risk",result="HIT-L1"} 1');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{route="\/stats\/risk",method="GET",le="\+Inf"\} 2/);
    expect(text).not.toContain('k1');
  });

  it('every route is the single handler of its path and method (no middleware chain per request)', () => {
    // Hono calls a lone handler directly; a second handler on the path (a middleware, a catch-all
    // for other methods) would put every request of it through its middleware chain again.
    const byPathAndMethod = new Map<string, number>();
    for (const r of app.routes) {
      const key = `${r.method} ${r.path}`;
      byPathAndMethod.set(key, (byPathAndMethod.get(key) ?? 0) + 1);
    }
    expect([...byPathAndMethod].filter(([, n]) => n > 1)).toEqual([]);
    expect(app.routes.filter((r) => r.method === 'ALL')).toEqual([]);
  });

  it('another method on a known path: 405 with Allow, counted under the path; an unknown path: 404', async () => {
    const put = await app.request('/records/7', { method: 'PUT', headers: auth.headers });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET');
    expect(put.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const root = await app.request('/', { method: 'POST' });
    expect(root.status).toBe(405);
    expect((await app.request('/nowhere', { method: 'POST' })).status).toBe(404);
    const text = await (await app.request('/metrics', auth)).text();
    expect(text).toContain('http_requests_total{route="/records/:id",method="PUT",status="405"} 1');
    expect(text).toContain('http_requests_total{route="unmatched",method="POST",status="404"} 1');
  });

  it('CORS is off by default and on for configured origins', async () => {
    const res = await app.request('/health', { headers: { Origin: 'https://example.org' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const withCors = createApp({ apiKeys: ['k1'], store, cache, corsOrigins: ['https://example.org'] });
    const pre = await withCors.request('/records', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://example.org',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'x-api-key',
      },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://example.org');
    // The preflight is Hono's own response, not one of ours: it still gets the common headers.
    expect(pre.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(pre.headers.get('x-response-time')).toMatch(/^\d+ms$/);
    expect(pre.headers.get('x-content-type-options')).toBe('nosniff');
    const other = await withCors.request('/health', { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a burst of 50 concurrent misses makes one database load', async () => {
    store.delayMs = 20;
    const res = await Promise.all(Array.from({ length: 50 }, () => app.request('/stats/age', auth)));
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(store.calls.aggregates).toBe(1);
  });

  it('cache down: stats still answer from the database', async () => {
    cache.down = true;
    const res = await app.request('/stats/risk', auth);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-cache')).toBe('MISS');
  });

  it('database down and nothing cached: 503 with Retry-After, no internals', async () => {
    store.down = true;
    const res = await app.request('/stats/risk', auth);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({
      error: 'Service Unavailable',
      message: 'The database is unavailable; retry shortly',
    });
    const deep = await app.request('/health?deep=1', auth);
    expect(deep.status).toBe(503);
  });

  it('database down but stats cached: still 200', async () => {
    await app.request('/stats/risk', auth);
    store.down = true;
    expect((await app.request('/stats/risk', auth)).status).toBe(200);
  });

  it('an unexpected error is a 500 with the request id and no stack trace', async () => {
    store.getRecord = async () => {
      throw new TypeError('boom at secret place');
    };
    const res = await app.request('/records/1', { headers: { 'X-API-KEY': 'k1', 'X-Request-ID': 'req-1' } });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: 'Internal Server Error',
      message: 'An unexpected error occurred',
      request_id: 'req-1',
    });
  });

  it('every configured key is accepted (rotation) and no key is ever logged', async () => {
    expect((await app.request('/records', { headers: { 'X-API-KEY': 'k1' } })).status).toBe(200);
    expect((await app.request('/records', { headers: { 'X-API-KEY': 'test-key' } })).status).toBe(200);
    expect((await app.request('/records', { headers: { 'X-API-KEY': 'k' } })).status).toBe(401);
    store.down = true;
    await app.request('/records', auth);
    expect(JSON.stringify(logs)).not.toMatch(/k1|test-key/);
  });
});
