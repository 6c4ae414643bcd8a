// What each scenario sends: request lists built from the target's own data (last page, valid
// ids, read through the API so any target works), drawn by weight with a seeded generator.
import { createRng } from '../etl/generate/prng.ts';
import { simulateBodies } from '../loadkit/inputs.ts';
import type { RequestSpec } from '../loadkit/http/load.ts';

export type TrafficKind = 'every-endpoint' | 'hot' | 'mixed' | 'stats' | 'faults';

export interface TargetFacts {
  /** total_pages of GET /records with the default limit (20). */
  lastPage: number;
  totalItems: number;
  /** Valid record ids seen on a few random pages. */
  ids: number[];
}

export interface Traffic {
  requests: RequestSpec[];
  /** Share of each endpoint in the list, for the report. */
  weights: { endpoint: string; weight: number }[];
}

const LIST_SIZE = 400;
const AGE_GROUPS = [9, 10, 11, 12, 13];

/** Reads the target's paging and a pool of ids: page 1 and a few random pages of 100. */
export async function targetFacts(url: string, apiKey: string): Promise<TargetFacts> {
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { 'x-api-key': apiKey }, signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return (await res.json()) as { data: { id: number }[]; pagination: { total_items: number; total_pages: number } };
  };
  const first = await get('/records?page=1&limit=100');
  const totalItems = first.pagination.total_items;
  const pages100 = Math.max(1, first.pagination.total_pages);
  const rng = createRng('load-test-ids');
  const ids = new Set(first.data.map((r) => r.id));
  for (let i = 0; i < 4 && pages100 > 1; i++) {
    const page = 1 + Math.floor(rng.next() * pages100);
    for (const r of (await get(`/records?page=${page}&limit=100`)).data) ids.add(r.id);
  }
  return { lastPage: Math.max(1, Math.ceil(totalItems / 20)), totalItems, ids: [...ids] };
}

type Maker = (pick: () => number) => RequestSpec;

/** Builds the request list for `kind` (deterministic for the same facts). */
export function buildTraffic(kind: TrafficKind, facts: TargetFacts, apiKey: string): Traffic {
  const key = { 'x-api-key': apiKey };
  const bodies = simulateBodies(32).map((b) => JSON.stringify(b));
  const ids = facts.ids.length ? facts.ids : [1];
  const get = (path: string): RequestSpec => ({ method: 'GET', path, headers: key });
  const simulate: Maker = (r) => ({
    method: 'POST',
    path: '/simulate',
    headers: { ...key, 'content-type': 'application/json' },
    body: bodies[Math.floor(r() * bodies.length)]!,
  });
  const page: Maker = (r) => {
    const p = 1 + Math.floor(r() * facts.lastPage);
    // One page in three filtered, as a client browsing by age group would.
    return r() < 1 / 3
      ? get(`/records?age_group=${AGE_GROUPS[Math.floor(r() * AGE_GROUPS.length)]}&page=${1 + Math.floor(r() * 20)}`)
      : get(`/records?page=${p}`);
  };
  const byId: Maker = (r) => get(`/records/${ids[Math.floor(r() * ids.length)]}`);

  if (kind === 'every-endpoint') {
    const requests = [
      { method: 'GET', path: '/health' } as RequestSpec,
      ...bodies.slice(0, 3).map(
        (body) =>
          ({
            method: 'POST',
            path: '/simulate',
            headers: { ...key, 'content-type': 'application/json' },
            body,
          }) as RequestSpec,
      ),
      get('/stats/risk'),
      get('/stats/age'),
      get('/records?page=1'),
      get(`/records?page=${facts.lastPage}`),
      get('/records?age_group=12&gender=1&limit=5'),
      ...ids.slice(0, 3).map((id) => get(`/records/${id}`)),
    ];
    return { requests, weights: weightsOf(requests) };
  }
  // Pages by age group, or age group and gender, never by risk group: the faults scenario's
  // dropped client uses keys with all three, which this traffic must not warm.
  const filteredPage: Maker = (r) => {
    const age = AGE_GROUPS[Math.floor(r() * AGE_GROUPS.length)];
    const p = 1 + Math.floor(r() * 20);
    const x = r();
    return x < 0.25
      ? get(`/records?page=${1 + Math.floor(r() * facts.lastPage)}`)
      : x < 0.625
        ? get(`/records?age_group=${age}&page=${p}`)
        : get(`/records?age_group=${age}&gender=${1 + Math.floor(r() * 2)}&page=${p}`);
  };
  const mix: [Maker, number][] =
    kind === 'stats'
      ? [
          [() => get('/stats/risk'), 50],
          [() => get('/stats/age'), 50],
        ]
      : kind === 'hot'
        ? [
            [simulate, 60],
            [() => get('/stats/risk'), 20],
            [() => get('/stats/age'), 20],
          ]
        : kind === 'faults'
          ? // Every database path the API has: cached (stats, page totals) and uncached (pages, ids).
            [
              [simulate, 20],
              [() => get('/stats/risk'), 15],
              [() => get('/stats/age'), 10],
              [filteredPage, 30],
              [byId, 25],
            ]
          : [
              [simulate, 35],
              [() => get('/stats/risk'), 15],
              [() => get('/stats/age'), 10],
              [page, 15],
              [byId, 20],
              [() => ({ method: 'GET', path: '/health' }), 5],
            ];
  const rng = createRng(`load-test-${kind}`);
  const r = () => rng.next();
  const total = mix.reduce((a, [, w]) => a + w, 0);
  const requests: RequestSpec[] = [];
  for (let i = 0; i < LIST_SIZE; i++) {
    let x = r() * total;
    const [make] = mix.find(([, w]) => (x -= w) < 0) ?? mix[mix.length - 1]!;
    requests.push(make(r));
  }
  return { requests, weights: weightsOf(requests) };
}

/**
 * One endpoint's requests alone ("POST /simulate", "GET /stats/risk", "GET /records"), drawn from
 * the hot or the mixed list as those scenarios send them (fixed-rate drives one endpoint at a time).
 */
export function endpointTraffic(endpoint: string, facts: TargetFacts, apiKey: string): Traffic {
  for (const kind of ['hot', 'mixed'] as const) {
    const requests = buildTraffic(kind, facts, apiKey).requests.filter((r) => endpointOf(r) === endpoint);
    if (requests.length) return { requests, weights: [{ endpoint, weight: 100 }] };
  }
  throw new Error(`no traffic builder sends ${endpoint}`);
}

/** "GET /records/123?x" → "GET /records/:id", as the probe names endpoints. */
export const endpointOf = (r: { method: string; path: string }) =>
  `${r.method} ${r.path.split('?')[0]!.replace(/\/\d+(?=\/|$)/g, '/:id')}`;

function weightsOf(requests: RequestSpec[]): { endpoint: string; weight: number }[] {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(endpointOf(r), (counts.get(endpointOf(r)) ?? 0) + 1);
  return [...counts].map(([endpoint, n]) => ({ endpoint, weight: Math.round((1000 * n) / requests.length) / 10 }));
}
