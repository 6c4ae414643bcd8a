// Cache refresh after a load: where the targets come from, the Upstash REST DEL the official
// client sends, the re-warm GETs through the API, and the one-line notice when nothing is known.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshStatsCache, resolveCacheTargets } from '../../etl/cache.ts';
import { DATASET_CACHE_KEYS } from '../../src/data/cache-keys.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

function fakeServer(reply: (req: Seen) => { status: number; body: unknown }) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const s = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      const r = reply(s);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  return {
    seen,
    server,
    url: () => `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    start: () => new Promise<void>((r) => server.listen(0, '127.0.0.1', r)),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// The client may send a single command (POST /) or, auto-pipelined, a batch (POST /pipeline).
const upstash = fakeServer((req) => ({ status: 200, body: req.url === '/pipeline' ? [{ result: 2 }] : { result: 2 } }));
const api = fakeServer((req) => ({ status: req.headers['x-api-key'] === 'k1' ? 200 : 401, body: {} }));

beforeAll(async () => {
  await upstash.start();
  await api.start();
});
afterAll(async () => {
  await upstash.stop();
  await api.stop();
});

describe('refreshStatsCache', () => {
  it('deletes the stats keys through Upstash REST and re-warms both stats routes', async () => {
    const report = await refreshStatsCache({ upstash: { url: upstash.url(), token: 'tok' }, api: { url: `${api.url()}/`, key: 'k1' } });
    expect(upstash.seen).toHaveLength(1);
    expect(upstash.seen[0]?.headers.authorization).toBe('Bearer tok');
    const sent = JSON.parse(upstash.seen[0]?.body ?? '[]') as string[] | string[][];
    const command = (upstash.seen[0]?.url === '/pipeline' ? sent[0] : sent) as string[];
    expect([command[0]?.toLowerCase(), ...command.slice(1)]).toEqual(['del', ...DATASET_CACHE_KEYS]);
    expect(api.seen.map((s) => `${s.method} ${s.url}`).sort()).toEqual(['GET /stats/age', 'GET /stats/risk']);
    expect(report.deleted).toBe(2);
    expect(report.rewarmed.map((r) => r.status)).toEqual([200, 200]);
    expect(report.summary).toMatch(/deleted the \d+ dataset keys .*re-warmed \/stats\/risk 200/);
  });

  it('says so in one line when neither Upstash nor the API is known', async () => {
    const report = await refreshStatsCache({ upstash: null, api: null });
    expect(report.deleted).toBeNull();
    expect(report.summary.split('\n')).toHaveLength(1);
    expect(report.summary).toMatch(/no Upstash configured.*no API URL known/);
  });

  it('reports an unreachable Upstash without failing', async () => {
    const report = await refreshStatsCache({ upstash: { url: 'http://127.0.0.1:9', token: 't' }, api: null }, 1000);
    expect(report.deleted).toBeNull();
    expect(report.summary).toMatch(/could not delete/);
  });
});

describe('resolveCacheTargets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'etl-cache-'));
  const stack = join(dir, 'stack.json');
  writeFileSync(stack, JSON.stringify({ upstash: { url: 'http://s', token: 'st' }, api: { url: 'http://a', key: 'ak' } }));

  it('reads .local/stack.json', () => {
    expect(resolveCacheTargets({}, stack)).toEqual({ upstash: { url: 'http://s', token: 'st' }, api: { url: 'http://a', key: 'ak' } });
  });

  it('prefers the environment', () => {
    const env = { UPSTASH_REDIS_REST_URL: 'http://e', UPSTASH_REDIS_REST_TOKEN: 'et', NHIS_API_URL: 'http://api', NHIS_API_KEY: 'ek' };
    expect(resolveCacheTargets(env, stack)).toEqual({ upstash: { url: 'http://e', token: 'et' }, api: { url: 'http://api', key: 'ek' } });
  });

  it('returns nothing when neither is there', () => {
    expect(resolveCacheTargets({}, join(dir, 'missing.json'))).toEqual({ upstash: null, api: null });
  });
});
