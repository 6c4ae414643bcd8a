// The HTTP benchmark plan: which requests each endpoint run cycles through, and on which Worker
// instance (the ceiling, the floor, the API, or the API with every cache tier expired).
import { BATCH_ENDPOINT_ID, BATCH_PERSONS } from '../report/batch.ts';
import type { Instance } from '../report/types.ts';
import type { RequestSpec } from '../../loadkit/http/load.ts';

export interface EndpointPlan {
  id: string;
  label: string;
  instance: Instance;
  requests: RequestSpec[];
  /** Connections for this endpoint's run, when not the default (50). */
  connections?: number;
  /**
   * Under callgrind, the share of the settings' warm-up and window responses this endpoint runs
   * (default 1): a response that does many persons' work settles the JIT and fills a window in
   * fewer responses, and valgrind runs about fifty times slower than the native runtime.
   */
  callgrindShare?: number;
}

export interface PlanInputs {
  apiKey: string;
  /** Valid /simulate bodies (JSON), cycled so the flags vary. */
  simulateBodies: string[];
  /** total_pages of GET /records (default limit 20). */
  lastPage: number;
  /** Ids of valid records, in random order. */
  recordIds: number[];
}

/**
 * Bodies of POST /simulate/batch with `persons` each, built from the /simulate bodies: the batches
 * start at different bodies, so connections do not all send the same one.
 */
export function batchBodies(simulateBodies: readonly string[], persons: number, count = 4): string[] {
  const n = simulateBodies.length;
  return Array.from({ length: count }, (_, b) => {
    const start = Math.floor((b * n) / count);
    return `{"persons":[${Array.from({ length: persons }, (_, i) => simulateBodies[(start + i) % n]).join(',')}]}`;
  });
}

/** Endpoints measured on the floor, the API and its uncached twin, in order (the ceiling runs apart). */
export function endpointPlan(p: PlanInputs): EndpointPlan[] {
  const key = { 'x-api-key': p.apiKey };
  const get = (path: string): RequestSpec => ({ method: 'GET', path, headers: key });
  return [
    // The app's pipeline with no route work (bench/http/floor-entry.ts): the most any GET, and any
    // POST with a JSON body, of this contract can reach. The POST sends /simulate's bodies.
    {
      id: 'floor-get',
      label: 'floor: GET (headers only)',
      instance: 'floor',
      requests: [{ method: 'GET', path: '/' }],
    },
    {
      id: 'floor-post',
      label: 'floor: POST (JSON body, headers)',
      instance: 'floor',
      requests: p.simulateBodies.map((body) => ({
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/json' },
        body,
      })),
    },
    { id: 'health', label: 'GET /health', instance: 'api', requests: [{ method: 'GET', path: '/health' }] },
    {
      id: 'simulate',
      label: 'POST /simulate',
      instance: 'api',
      requests: p.simulateBodies.map((body) => ({
        method: 'POST',
        path: '/simulate',
        headers: { ...key, 'content-type': 'application/json' },
        body,
      })),
    },
    {
      id: BATCH_ENDPOINT_ID,
      label: `POST /simulate/batch (${BATCH_PERSONS} persons)`,
      instance: 'api',
      requests: batchBodies(p.simulateBodies, BATCH_PERSONS).map((body) => ({
        method: 'POST',
        path: '/simulate/batch',
        headers: { ...key, 'content-type': 'application/json' },
        body,
      })),
      // A tenth of the responses is still ten times the persons /simulate's windows score.
      callgrindShare: 0.1,
    },
    { id: 'stats-risk', label: 'GET /stats/risk (cached)', instance: 'api', requests: [get('/stats/risk')] },
    { id: 'stats-age', label: 'GET /stats/age (cached)', instance: 'api', requests: [get('/stats/age')] },
    { id: 'records-first', label: 'GET /records page 1', instance: 'api', requests: [get('/records?page=1')] },
    {
      id: 'records-last',
      label: `GET /records last page (${p.lastPage.toLocaleString('en-US')})`,
      instance: 'api',
      requests: [get(`/records?page=${p.lastPage}`)],
    },
    {
      id: 'record-by-id',
      label: 'GET /records/:id (random ids)',
      instance: 'api',
      requests: p.recordIds.map((id) => get(`/records/${id}`)),
    },
    {
      id: 'stats-risk-uncached',
      label: 'GET /stats/risk (uncached)',
      instance: 'uncached',
      requests: [get('/stats/risk')],
    },
    {
      id: 'stats-age-uncached',
      label: 'GET /stats/age (uncached)',
      instance: 'uncached',
      requests: [get('/stats/age')],
    },
    // One request at a time: the latency of a miss itself (L2 read, database, answer), measured the
    // way the replaced service's miss figures were (sequential requests), not queueing under load.
    {
      id: 'stats-risk-uncached-1c',
      label: 'GET /stats/risk (uncached, 1 conn.)',
      instance: 'uncached',
      requests: [get('/stats/risk')],
      connections: 1,
    },
    {
      id: 'stats-age-uncached-1c',
      label: 'GET /stats/age (uncached, 1 conn.)',
      instance: 'uncached',
      requests: [get('/stats/age')],
      connections: 1,
    },
  ];
}

export const CEILING_PLAN: EndpointPlan = {
  id: 'ceiling',
  label: 'ceiling: hello-world Worker',
  instance: 'ceiling',
  requests: [{ method: 'GET', path: '/' }],
};
