// PlanetScale answers Vitess's transient errors inside an HTTP 200 reply, as SQL errors: the real
// driver over a fake transport shows which become 503 with Retry-After (an outage, counted in
// /metrics by code) and which stay 500 with a request id (a statement the database refused).
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createPlanetScaleStore } from '../../src/data/planetscale-store.ts';
import { fakeCache } from '../support/fakes.ts';

/** An Execute reply carrying a SQL error, as PlanetScale's HTTP API sends it (protocols §1.4). */
const vitessReply = (code: string, message: string) =>
  new Response(JSON.stringify({ session: {}, error: { code, message: `${message} (errno 1105) (sqlstate HY000)` } }), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });

function appAnswering(code: string, message: string) {
  const store = createPlanetScaleStore({
    url: 'https://u:p@db.example',
    timeoutMs: 1000,
    fetch: async () => vitessReply(code, message),
  });
  return createApp({ apiKeys: ['k'], store, cache: fakeCache(), log: () => {} });
}

const auth = { headers: { 'X-API-KEY': 'k', 'X-Request-ID': 'req-7' } };

describe('Vitess errors inside a 200 reply', () => {
  it.each([
    ['UNAVAILABLE', 'target: nhis.-.primary: no healthy tablet available'],
    ['RESOURCE_EXHAUSTED', 'transaction pool connection limit exceeded'],
    ['DEADLINE_EXCEEDED', 'context deadline exceeded'],
    ['ABORTED', 'transaction 1: in use: for tx killer rollback'],
  ])('%s is a 503 with Retry-After, counted by its code', async (code, message) => {
    const app = appAnswering(code, message);
    for (const path of ['/stats/risk', '/records?page=3&limit=7', '/records/5']) {
      const res = await app.request(path, auth);
      expect(res.status, path).toBe(503);
      expect(res.headers.get('retry-after'), path).toBe('5');
      expect(await res.json(), path).toEqual({
        error: 'Service Unavailable',
        message: 'The database is unavailable; retry shortly',
      });
    }
    const metrics = await (await app.request('/metrics', auth)).text();
    expect(metrics).toMatch(
      new RegExp(`^errors_total\\{kind="database_unavailable_${code.toLowerCase()}"\\} [1-9]`, 'm'),
    );
  });

  it('a statement the database refused stays a 500 with the request id', async () => {
    const app = appAnswering('INVALID_ARGUMENT', "Unknown column 'x' in 'field list'");
    const res = await app.request('/records/5', auth);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: 'Internal Server Error',
      message: 'An unexpected error occurred',
      request_id: 'req-7',
    });
  });

  it('"Row count exceeded" is not transient: the same statement would fail again', async () => {
    const res = await appAnswering('RESOURCE_EXHAUSTED', 'Row count exceeded 100000').request('/records/5', auth);
    expect(res.status).toBe(500);
  });
});
