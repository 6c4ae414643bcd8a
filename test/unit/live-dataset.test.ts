// The live dataset: the pointer row read once per L1 lifetime per isolate, keys per dataset id,
// so a flip (a load or a rollback) is served at once and never mixed with the previous dataset.
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createLiveDataset } from '../../src/data/live-dataset.ts';
import { DependencyError } from '../../src/data/dependency-error.ts';
import type { LiveDataset } from '../../src/data/store.ts';
import { fakeCache, fakeStore, makeRows, type FakeCache, type FakeStore } from '../support/fakes.ts';

const L1_MS = 3000;
const auth = { headers: { 'X-API-KEY': 'k1' } };

let t: number;
let store: FakeStore;
let cache: FakeCache;
let logs: Record<string, unknown>[];
const isolate = () => createApp({ apiKeys: ['k1'], store, cache, now: () => t, log: (e) => logs.push(e) });
let app: ReturnType<typeof isolate>;

/** Dataset 2: 120 valid and 30 invalid records, told apart from dataset 1's by their date. */
function addDataset2() {
  store.addDataset(
    2,
    makeRows(120).map((r) => ({ ...r, created_at: '2027-01-01 00:00:00' })),
    30,
  );
}

async function get(path: string, on = app) {
  const res = await on.request(path, auth);
  return { status: res.status, cache: res.headers.get('x-cache'), body: (await res.json()) as Record<string, any> };
}

const unreadable = () => new DependencyError('database', 'database unreachable', 'unreachable');

beforeEach(() => {
  t = 1_000_000;
  store = fakeStore(); // dataset 1 live: 500 valid, 250 invalid
  cache = fakeCache();
  logs = [];
  app = isolate();
});

describe('a flip of the pointer', () => {
  it('is seen once the L1 lifetime has passed when no request came in its last third', async () => {
    expect((await get('/stats/risk')).body.valid_records).toBe(500);
    expect((await get('/records?limit=1')).body.pagination.total_items).toBe(500);
    addDataset2();
    store.flip(2);

    t += (L1_MS * 2) / 3 - 1;
    expect((await get('/stats/risk')).body.valid_records).toBe(500);
    expect((await get('/records?limit=1')).body.pagination.total_items).toBe(500);
    expect(store.calls.liveDataset).toBe(1);

    t += L1_MS / 3 + 1;
    const risk = await get('/stats/risk');
    expect(risk.body).toMatchObject({ total_records: 150, valid_records: 120, invalid_records: 30 });
    expect(risk.cache).toBe('MISS');
    expect((await get('/records?limit=1')).body.pagination.total_items).toBe(120);
    expect(store.calls.liveDataset).toBe(2);
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'live dataset changed', dataset: 2, generation: 2, previous_dataset: 1 }),
    );
  });

  it('under steady traffic, a request in the last third of the lifetime re-reads the pointer in the background: nobody waits for it', async () => {
    expect((await get('/stats/risk')).body.valid_records).toBe(500);
    addDataset2();
    store.flip(2);
    t += (L1_MS * 2) / 3;
    // This request answers from the reading it has, and starts one re-read for the ones after it.
    const during = await get('/stats/risk');
    expect(during.body.valid_records).toBe(500);
    expect(during.cache).toBe('HIT-L1');
    expect((await get('/records?limit=1')).body.pagination.total_items).toBe(120);
    expect(store.calls.liveDataset).toBe(2);
    expect((await get('/stats/risk')).body.valid_records).toBe(120);
    // The new reading lives a whole lifetime from when it started.
    t += (L1_MS * 2) / 3 - 1;
    await get('/stats/risk');
    expect(store.calls.liveDataset).toBe(2);
  });

  it('costs one pointer query for a burst of requests after the lifetime', async () => {
    await get('/stats/age');
    t += L1_MS;
    store.delayMs = 20;
    const paths = ['/stats/age', '/stats/risk', '/records?limit=5', '/records/7'];
    const res = await Promise.all(Array.from({ length: 60 }, (_, i) => app.request(paths[i % paths.length]!, auth)));
    expect(res.map((r) => r.status)).toEqual(Array(60).fill(200));
    expect(store.calls.liveDataset).toBe(2);
  });

  it('serves the new dataset at once: no STALE copy of the old one, though its keys are still in L2', async () => {
    // The old copies fresh in L2 (10 s old), or stale there (70 s: past 60 s, within the stale window).
    for (const elapsed of [10_000, 70_000]) {
      t = 1_000_000;
      store = fakeStore();
      cache = fakeCache();
      app = isolate();
      for (const p of ['/stats/risk', '/stats/age', '/records?limit=3', '/records?age_group=12&limit=3']) await get(p);
      expect([...cache.data.keys()].sort()).toEqual([
        'records:count:d1-fake:a*:g*:r*',
        'records:count:d1-fake:a12:g*:r*',
        'stats:age:d1-fake',
        'stats:risk:d1-fake',
      ]);
      addDataset2();
      store.flip(2);
      t += elapsed;
      const other = isolate(); // an isolate that never saw dataset 1
      const read = store.datasetsRead.length;
      for (const on of [app, other]) {
        const what = `${elapsed} ms, ${on === app ? 'the isolate that served dataset 1' : 'a new isolate'}`;
        const risk = await get('/stats/risk', on);
        const age = await get('/stats/age', on);
        const page = await get('/records?limit=3', on);
        const filtered = await get('/records?age_group=12&limit=3', on);
        expect(risk.body, what).toMatchObject({ total_records: 150, valid_records: 120, invalid_records: 30 });
        expect(age.body.total_records, what).toBe(120);
        // Total and page of one dataset.
        expect(page.body.pagination.total_items, what).toBe(120);
        expect(
          page.body.data.map((r: { created_at: string }) => r.created_at),
          what,
        ).toEqual(Array(3).fill('2027-01-01T00:00:00Z'));
        expect(filtered.body.pagination.total_items, what).toBe(
          makeRows(120).filter((r) => r.age_group_code === 12).length,
        );
        expect([risk.cache, age.cache], what).toEqual(on === app ? ['MISS', 'MISS'] : ['HIT-L2', 'HIT-L2']);
      }
      expect(new Set(store.datasetsRead.slice(read))).toEqual(new Set([2]));
      expect(cache.data.has('stats:risk:d1-fake')).toBe(true);
    }
  });

  it('a database made anew, whose first dataset is id 1 again, is never answered from the old one’s copies', async () => {
    for (const p of ['/stats/risk', '/records?limit=3']) await get(p);
    expect(cache.data.has('stats:risk:d1-fake')).toBe(true);
    // The same Upstash; a new database whose dataset 1 (made at another time) holds other rows.
    store = fakeStore(makeRows(40), 5);
    store.pointer = { id: 1, generation: 1, tag: '1-anew' };
    const fresh = isolate();
    const risk = await get('/stats/risk', fresh);
    const page = await get('/records?limit=3', fresh);
    expect(risk.cache).toBe('MISS');
    expect(risk.body).toMatchObject({ total_records: 45, valid_records: 40, invalid_records: 5 });
    expect(page.body.pagination.total_items).toBe(40);
    expect(cache.data.has('stats:risk:d1-anew')).toBe(true);
  });

  it('a rollback serves the previous dataset again, from its keys', async () => {
    addDataset2();
    await get('/stats/risk');
    store.flip(2);
    t += L1_MS;
    expect((await get('/stats/risk')).body.valid_records).toBe(120);
    store.flip(1);
    t += L1_MS;
    const back = await get('/stats/risk');
    expect(back.body.valid_records).toBe(500);
    expect(back.cache).toBe('HIT-L2');
  });
});

describe('the pointer unreadable', () => {
  it('with a known dataset: keeps serving it, one attempt per L1 lifetime', async () => {
    expect((await get('/records?limit=2')).status).toBe(200);
    let attempts = 0;
    store.liveDataset = async () => {
      attempts++;
      throw unreadable();
    };
    t += L1_MS;
    for (let i = 0; i < 5; i++) {
      const page = await get('/records?limit=2');
      expect(page.status).toBe(200);
      expect(page.body.pagination.total_items).toBe(500);
      expect((await get('/records/5')).body.id).toBe(5);
      expect((await get('/stats/risk')).status).toBe(200);
    }
    expect(attempts).toBe(1);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'dataset pointer unreadable; serving the last known dataset' }),
    );
    t += L1_MS;
    await get('/stats/age');
    expect(attempts).toBe(2);
    const metrics = await (await app.request('/metrics', auth)).text();
    expect(metrics).toContain('errors_total{kind="live_dataset_stale"} 2');
  });

  it('with nothing known: 503, as any database failure', async () => {
    store.liveDataset = async () => {
      throw unreadable();
    };
    for (const path of ['/stats/risk', '/stats/age', '/records', '/records/1']) {
      const res = await app.request(path, auth);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
    }
  });
});

describe('no live dataset', () => {
  beforeEach(() => store.flip(null));

  it('answers zero counts, an empty page and 404, without a dataset query or a cache call', async () => {
    const risk = await get('/stats/risk');
    expect(risk.status).toBe(200);
    expect(risk.body).toEqual({
      risk_distribution: {
        ZERO_TO_ONE_RISK_FACTOR: { count: 0, percentage: 0 },
        MULTIPLE_RISK_FACTORS: { count: 0, percentage: 0 },
        CHD_RISK_EQUIVALENT: { count: 0, percentage: 0 },
      },
      total_records: 0,
      valid_records: 0,
      invalid_records: 0,
    });
    expect(await get('/stats/age')).toMatchObject({ status: 200, body: { age_distribution: [], total_records: 0 } });
    expect(await get('/records?age_group=12&page=3')).toMatchObject({
      status: 200,
      body: { data: [], pagination: { page: 3, limit: 20, total_items: 0, total_pages: 0 } },
    });
    expect(await get('/records/1')).toMatchObject({
      status: 404,
      body: { error: 'Not Found', message: 'Record with id 1 not found' },
    });
    expect(store.calls).toEqual({ liveDataset: 1 });
    expect(cache.calls).toEqual({});
  });

  it('serves the first dataset once it is made live', async () => {
    expect((await get('/stats/risk')).body.valid_records).toBe(0);
    store.flip(1);
    t += L1_MS;
    expect((await get('/stats/risk')).body.valid_records).toBe(500);
  });
});

describe('createLiveDataset', () => {
  const pointer = (id: number | null, generation: number): LiveDataset =>
    id === null ? { id, generation, tag: null } : { id, generation, tag: `${id}-t` };

  it('answers without waiting while fresh, and counts the lifetime from when the read started', async () => {
    let now = 0;
    const live = createLiveDataset({
      read: async () => {
        now += 500; // the read itself takes 500 ms
        return pointer(4, 9);
      },
      ttlMs: L1_MS,
      maxWaitMs: 3000,
      now: () => now,
    });
    expect(live.fresh()).toBeUndefined();
    expect(await live.get()).toEqual(pointer(4, 9));
    now = L1_MS - 1;
    expect(live.fresh()).toEqual(pointer(4, 9));
    now = L1_MS;
    expect(live.fresh()).toBeUndefined();
  });

  it('rejects every waiter of a failed first read, and reads again on the next call', async () => {
    let reads = 0;
    const live = createLiveDataset({
      read: async () => {
        reads++;
        if (reads === 1) throw unreadable();
        return pointer(1, 1);
      },
      ttlMs: L1_MS,
      maxWaitMs: 3000,
    });
    const waiting = await Promise.allSettled([live.get(), live.get(), live.get()]);
    expect(waiting.map((w) => w.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(reads).toBe(1);
    expect(await live.get()).toEqual(pointer(1, 1));
  });

  it('hands its read to waitUntil, and never waits on a lost read past the database timeout', async () => {
    let reads = 0;
    const live = createLiveDataset({
      // The first read's request was cancelled and the runtime dropped it: it never settles.
      read: () => (++reads === 1 ? new Promise<LiveDataset>(() => {}) : Promise.resolve(pointer(2, 3))),
      ttlMs: L1_MS,
      maxWaitMs: 50,
    });
    const background: Promise<unknown>[] = [];
    // Counted from the lost read's start: a waiter gives up on it maxWaitMs after that, however
    // late it came (a busy machine may pause between the two calls).
    const t0 = Date.now();
    void live.get((p) => background.push(p));
    expect(background).toHaveLength(1);
    expect(await live.get()).toEqual(pointer(2, 3));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(reads).toBe(2);
  });
});
