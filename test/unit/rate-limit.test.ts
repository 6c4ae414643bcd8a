// The rate limiter: decides locally with no backend call on the request path, reconciles in
// the background in batches, honours per-key rules and unlimited keys, and fails open.
import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { routeKit } from '../../src/http/request-context.ts';
import { json } from '../../src/http/respond.ts';
import type { AppEnv } from '../../src/http/hono-env.ts';
import { RateLimiter, parsePerKey, parseRule, rateLimit, type RateLimitBackend } from '../../src/http/rate-limit.ts';

function backend(globalExtra = 0) {
  const calls: number[] = [];
  let used = globalExtra;
  const b: RateLimitBackend & { calls: number[]; down: boolean } = {
    calls,
    down: false,
    async hit(_id, hits, rule) {
      calls.push(hits);
      if (b.down) throw new Error('redis down');
      used += hits;
      return { remaining: Math.max(0, rule.limit - used), resetAt: Date.now() + rule.windowMs };
    },
  };
  return b;
}

describe('rate limiter', () => {
  it('parses rules', () => {
    expect(parseRule('600/60s')).toEqual({ limit: 600, windowMs: 60_000 });
    expect(parseRule('100/1m')).toEqual({ limit: 100, windowMs: 60_000 });
    expect(parseRule('5/s')).toEqual({ limit: 5, windowMs: 1000 });
    expect(parseRule('unlimited')).toBeNull();
    expect(() => parseRule('lots')).toThrow(/600\/60s/);
    const per = parsePerKey('a=10/60s, b=unlimited');
    expect(per.get('a')).toEqual({ limit: 10, windowMs: 60_000 });
    expect(per.get('b')).toBeNull();
    expect(() => parsePerKey('secret-key-without-rule')).toThrow(/KEY=LIMIT/);
    try {
      parsePerKey('secret-key=bogus');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-key');
    }
  });

  it('allows the limit, then blocks; the backend sees batches, not every request', async () => {
    const b = backend();
    const rl = new RateLimiter({
      backend: b,
      defaultRule: { limit: 100, windowMs: 60_000 },
      perKey: new Map(),
      syncEveryMs: 60_000,
    });
    const pending: Promise<void>[] = [];
    let allowed = 0;
    for (let i = 0; i < 150; i++) {
      const { decision, pending: p } = rl.check('k');
      if (p) pending.push(p);
      if (decision!.allowed) allowed++;
    }
    await Promise.all(pending);
    expect(allowed).toBe(100);
    expect(b.calls.length).toBeLessThan(20);
    expect(b.calls.reduce((s, n) => s + n, 0)).toBeLessThanOrEqual(100);
  });

  it('other isolates’ hits reported by the backend count here too', async () => {
    const b = backend(95); // 95 hits already made elsewhere
    const rl = new RateLimiter({
      backend: b,
      defaultRule: { limit: 100, windowMs: 60_000 },
      perKey: new Map(),
      syncEveryMs: 0,
    });
    const first = rl.check('k');
    await first.pending;
    let allowed = 1;
    for (let i = 0; i < 20; i++) {
      const r = rl.check('k');
      await r.pending;
      if (r.decision!.allowed) allowed++;
    }
    expect(allowed).toBe(5);
  });

  it('unlimited keys skip everything; per-key rules override the default', () => {
    const b = backend();
    const rl = new RateLimiter({
      backend: b,
      defaultRule: { limit: 1, windowMs: 60_000 },
      perKey: new Map([
        ['free', null],
        ['small', { limit: 2, windowMs: 60_000 }],
      ]),
    });
    for (let i = 0; i < 10; i++) expect(rl.check('free').decision).toBeNull();
    expect(rl.check('small').decision!.allowed).toBe(true);
    expect(rl.check('small').decision!.allowed).toBe(true);
    expect(rl.check('small').decision!.allowed).toBe(false);
    expect(rl.check('other').decision!.allowed).toBe(true);
    expect(rl.check('other').decision!.allowed).toBe(false);
  });

  it('fails open to the local count when the backend is down', async () => {
    const b = backend();
    b.down = true;
    const rl = new RateLimiter({
      backend: b,
      defaultRule: { limit: 3, windowMs: 60_000 },
      perKey: new Map(),
      syncEveryMs: 0,
    });
    const results: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const r = rl.check('k');
      await r.pending;
      results.push(r.decision!.allowed);
    }
    expect(results).toEqual([true, true, true, false, false]);
  });

  it('a new window starts after the reset', () => {
    let t = 0;
    const rl = new RateLimiter({
      backend: backend(),
      defaultRule: { limit: 1, windowMs: 1000 },
      perKey: new Map(),
      now: () => t,
      syncEveryMs: 1e9,
    });
    expect(rl.check('k').decision!.allowed).toBe(true);
    expect(rl.check('k').decision!.allowed).toBe(false);
    t = 1000;
    expect(rl.check('k').decision!.allowed).toBe(true);
  });

  it('429 with Retry-After and X-RateLimit-* headers', async () => {
    const rl = new RateLimiter({ backend: backend(), defaultRule: { limit: 1, windowMs: 60_000 }, perKey: new Map() });
    const kit = routeKit(rateLimit(rl));
    const app = new Hono<AppEnv>().get(
      '/',
      kit.keyed((c) => json(c, 'ok')),
    );
    app.onError((err, c) => {
      const e = err as unknown as { status: number; headers: Record<string, string> };
      return json(c, 'limited', e.status, e.headers);
    });
    const ok = await app.request('/', { headers: { 'X-API-KEY': 'a' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit')).toBe('1');
    expect(ok.headers.get('x-ratelimit-remaining')).toBe('0');
    const blocked = await app.request('/', { headers: { 'X-API-KEY': 'a' } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
  });
});
