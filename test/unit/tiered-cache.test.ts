// The two-tier cache on a fake clock: L1 TTL, L2 freshness, single-flight, stale-while-revalidate,
// stale-if-error, the L1 bound, and a cache that fails.
import { beforeEach, describe, expect, it } from 'vitest';
import { createTieredCache, decodeL2, encodeL2, type Cached } from '../../src/data/cache.ts';
import { fakeCache, type FakeCache } from '../support/fakes.ts';

let t: number;
let l2: FakeCache;
let cached: Cached;
let loads: number;
let background: Promise<unknown>[];
const req = () => ({ waitUntil: (p: Promise<unknown>) => void background.push(p) });
const policy = { ttlSeconds: 60 };
const utf8 = (text: string) => new TextEncoder().encode(text);
const loader =
  (body = 'v') =>
  async () => {
    loads++;
    return `${body}${loads}`;
  };

beforeEach(() => {
  t = 1_000_000;
  l2 = fakeCache();
  loads = 0;
  background = [];
  cached = createTieredCache({
    l2,
    l1TtlMs: 3000,
    staleMs: 300_000,
    l1MaxEntries: 2,
    loadTimeoutMs: 3000,
    now: () => t,
  });
});

describe('tiered cache', () => {
  it('keeps a single-flight load alive through waitUntil, and never waits on a lost one past the load timeout', async () => {
    const short = createTieredCache({
      l2,
      l1TtlMs: 3000,
      staleMs: 300_000,
      l1MaxEntries: 2,
      loadTimeoutMs: 50,
      now: () => t,
    });
    // The loading request's client went away and the runtime dropped its work: a load that never settles.
    void short('k', policy, () => new Promise<string>(() => {}), req());
    await new Promise((r) => setTimeout(r, 5)); // past the L2 read, into the load
    expect(background).toHaveLength(1); // the load itself was handed to waitUntil
    const t0 = Date.now();
    const waiter = await short('k', policy, loader(), req());
    expect(waiter.source).toBe('MISS');
    expect(waiter.body).toBe('v1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(40); // it waited on the slot, up to the load timeout
    // A slot older than the timeout is not waited on at all.
    const again = createTieredCache({
      l2: fakeCache(),
      l1TtlMs: 3000,
      staleMs: 300_000,
      l1MaxEntries: 2,
      loadTimeoutMs: 50,
      now: () => t,
    });
    void again('j', policy, () => new Promise<string>(() => {}), req());
    t += 51;
    expect(await again('j', policy, loader('w'), req())).toMatchObject({ body: 'w2', source: 'MISS' });
  });

  it('miss → L1 hit within its TTL → L2 hit after it', async () => {
    expect(await cached('k', policy, loader(), req())).toEqual({ body: 'v1', bytes: utf8('v1'), source: 'MISS' });
    await Promise.all(background);
    expect(decodeL2(l2.data.get('k')!)).toEqual({ body: 'v1', storedAt: t });
    t += 2999;
    expect((await cached('k', policy, loader(), req())).source).toBe('HIT-L1');
    t += 2;
    expect(await cached('k', policy, loader(), req())).toEqual({ body: 'v1', bytes: utf8('v1'), source: 'HIT-L2' });
    expect(loads).toBe(1);
  });

  it('keeps each copy encoded once: answers carry the UTF-8 bytes of the body, the same array while the copy lives', async () => {
    const body = '{"age_display":"20-24세"}';
    const first = await cached('k', policy, async () => body, req());
    expect(first.bytes).toEqual(utf8(body));
    expect(new TextDecoder().decode(first.bytes)).toBe(body);
    const hit = await cached('k', policy, loader(), req());
    expect(hit.source).toBe('HIT-L1');
    expect(hit.bytes).toBe(first.bytes);
    await Promise.all(background);
    t += 3001;
    const fromL2 = await cached('k', policy, loader(), req());
    expect(fromL2).toEqual({ body, bytes: utf8(body), source: 'HIT-L2' });
    expect(fromL2.bytes).not.toBe(first.bytes); // a new copy, encoded once more
    expect(loads).toBe(0);
  });

  it('peekL1() answers from L1 at once while the copy is fresh, and is undefined otherwise', async () => {
    const results: string[] = [];
    const counted = createTieredCache({
      l2,
      l1TtlMs: 3000,
      staleMs: 300_000,
      l1MaxEntries: 2,
      loadTimeoutMs: 3000,
      now: () => t,
      onResult: (_k, s) => results.push(s),
    });
    expect(counted.peekL1('k', policy)).toBeUndefined();
    await counted('k', policy, loader(), req());
    await Promise.all(background);
    t += 2999;
    expect(counted.peekL1('k', policy)).toEqual({ body: 'v1', bytes: utf8('v1'), source: 'HIT-L1' });
    expect(counted.peekL1('k', policy)).toBe(await counted('k', policy, loader(), req())); // one answer object per copy
    expect(counted.peekL1('k', { ttlSeconds: 2 })).toBeUndefined(); // never past the policy's freshness
    t += 2;
    expect(counted.peekL1('k', policy)).toBeUndefined(); // L1 TTL over: the caller goes to the cache (L2)
    expect((await counted('k', policy, loader(), req())).source).toBe('HIT-L2');
    expect(counted.peekL1('k', policy)?.source).toBe('HIT-L1');
    expect(results).toEqual(['MISS', 'HIT-L1', 'HIT-L1', 'HIT-L1', 'HIT-L2', 'HIT-L1']);
    expect(loads).toBe(1);
  });

  it('an L1 copy taken from L2 is fresh for the L1 TTL from when it was taken', async () => {
    await cached('k', policy, loader(), req());
    await Promise.all(background);
    t += 30_000; // L2 copy is 30 s old: still fresh
    const other = createTieredCache({
      l2,
      l1TtlMs: 3000,
      staleMs: 300_000,
      l1MaxEntries: 2,
      loadTimeoutMs: 3000,
      now: () => t,
    });
    expect((await other('k', policy, loader(), req())).source).toBe('HIT-L2');
    l2.calls = {};
    t += 2000;
    expect((await other('k', policy, loader(), req())).source).toBe('HIT-L1');
    expect(l2.calls.get ?? 0).toBe(0);
    t += 29_000; // now 61 s past the load: L1 must not outlive the freshness
    expect((await other('k', policy, loader(), req())).source).toBe('STALE');
  });

  it('past 60 s: serves stale at once and revalidates once in the background', async () => {
    await cached('k', policy, loader(), req());
    await Promise.all(background);
    t += 61_000;
    const [a, b] = await Promise.all([cached('k', policy, loader(), req()), cached('k', policy, loader(), req())]);
    expect([a.source, b.source]).toEqual(['STALE', 'STALE']);
    expect(a.body).toBe('v1');
    await Promise.all(background);
    expect(loads).toBe(2);
    expect((await cached('k', policy, loader(), req())).body).toBe('v2');
  });

  it('past 60 s with the database down: one refresh per L1 lifetime, not one per STALE answer', async () => {
    await cached('k', policy, loader(), req());
    await Promise.all(background);
    t += 61_000;
    let attempts = 0;
    const failing = async () => {
      attempts++;
      throw new Error('db down');
    };
    for (let i = 0; i < 5; i++) {
      expect((await cached('k', policy, failing, req())).source).toBe('STALE');
      await Promise.all(background);
    }
    expect(attempts).toBe(1);
    t += 3000;
    expect((await cached('k', policy, loader(), req())).source).toBe('STALE');
    await Promise.all(background);
    expect(attempts).toBe(1);
    expect(loads).toBe(2);
    expect((await cached('k', policy, loader(), req())).source).toBe('HIT-L1');
  });

  it('single-flight: 50 concurrent misses make one load', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      loads++;
      await gate;
      return 'x';
    };
    const all = Promise.all(Array.from({ length: 50 }, () => cached('k', policy, slow, req())));
    await new Promise((r) => setTimeout(r, 10));
    release();
    const res = await all;
    expect(loads).toBe(1);
    expect(res.every((r) => r.body === 'x' && r.source === 'MISS')).toBe(true);
  });

  it('single-flight: a request whose L2 read outlasts the load takes its result, not a load of its own', async () => {
    // The first request misses and loads; the second reads L2 while that load runs, and its read
    // comes back (empty) only after the load finished and left the single-flight slot.
    let releaseRead!: () => void;
    const slowRead = new Promise<void>((r) => (releaseRead = r));
    const l2Get = l2.get.bind(l2);
    let reads = 0;
    l2.get = async (key) => {
      if (++reads === 2) await slowRead;
      return l2Get(key);
    };
    const first = cached('k', policy, loader(), req());
    const second = cached('k', policy, loader(), req());
    expect(await first).toEqual({ body: 'v1', bytes: utf8('v1'), source: 'MISS' });
    l2.data.delete('k'); // the L2 write has not landed yet when the slow read answers
    releaseRead();
    expect(await second).toEqual({ body: 'v1', bytes: utf8('v1'), source: 'HIT-L1' });
    expect(loads).toBe(1);
  });

  it('stale-if-error: the database fails after the stale window, a held copy still answers', async () => {
    await cached('k', policy, loader(), req());
    t += 60_000 + 300_000 + 1;
    const failing = async () => {
      throw new Error('db down');
    };
    expect(await cached('k', policy, failing, req())).toEqual({ body: 'v1', bytes: utf8('v1'), source: 'STALE' });
  });

  it('nothing held and the database fails: the error surfaces', async () => {
    await expect(cached('k', policy, async () => Promise.reject(new Error('db down')), req())).rejects.toThrow(
      'db down',
    );
  });

  it('L2 down: reads fall through to the loader, L1 still serves', async () => {
    l2.down = true;
    expect((await cached('k', policy, loader(), req())).source).toBe('MISS');
    await Promise.allSettled(background);
    expect((await cached('k', policy, loader(), req())).source).toBe('HIT-L1');
  });

  it('L1 is bounded', async () => {
    l2.down = true;
    await cached('a', policy, loader('a'), req());
    await cached('b', policy, loader('b'), req());
    await cached('c', policy, loader('c'), req());
    expect((await cached('c', policy, loader(), req())).source).toBe('HIT-L1');
    expect((await cached('a', policy, loader(), req())).source).toBe('MISS');
  });

  it('L2 values carry their load time', () => {
    expect(decodeL2(encodeL2({ body: '{"a":1}\n', storedAt: 42 }))).toEqual({ body: '{"a":1}\n', storedAt: 42 });
    expect(decodeL2('garbage')).toBeNull();
  });
});
