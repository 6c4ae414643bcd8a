// Bench-only Worker entry for the "fetch floor": for each database-backed endpoint, the same
// PlanetScale statements the API's store sends for that request (the statement builders of
// src/data/planetscale-store.ts, with the same arguments), executed by @planetscale/database on the
// same DATABASE_URL (the reader password), and the driver's rows returned as JSON; for the stats,
// also the Upstash commands of a cache miss, through the app's own Upstash client
// (src/data/upstash.ts). Nothing else: no Hono, no key check, no validation, no cache logic, no
// casting beyond the driver's. What an endpoint costs beyond this Worker is the app's own work
// around its subrequests.
//
// Per request, as the API (or its uncached twin) sends them in steady state:
// - GET /records?page=N: the page statement (the total is cached by the API, its pointer too);
// - GET /records/{id}: the record statement;
// - GET /stats/risk: an Upstash GET, then the summary and aggregates statements in parallel, then
//   an Upstash SET of the answer in waitUntil (the uncached twin's miss: L2 read, load, L2 write);
// - GET /stats/age: the same with the aggregates statement.
// The live dataset id is read once per isolate (the API keeps it for an L1 lifetime). The cache
// keys are the fetch floor's own, so the API's cache never sees its values.
import { Client } from '@planetscale/database';
import { STATS_POLICY } from '../../src/data/cache-keys.ts';
import { createUpstashCache, createUpstashRedis } from '../../src/data/upstash.ts';
import {
  aggregatesStatement,
  pageStatement,
  POINTER_SQL,
  recordStatement,
  type Statement,
  summaryStatement,
} from '../../src/data/planetscale-store.ts';

interface Env {
  DATABASE_URL: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
}

/** /records' default page size (src/contract/schemas.ts): the bench asks for pages at that limit. */
const LIMIT = 20;

let client: Client | undefined;
let l2: ReturnType<typeof createUpstashCache> | undefined;
let dataset: Promise<number> | undefined;

const rowsOf = async (c: Client, st: Statement) => (await c.execute(st.sql, st.args)).rows;

async function statements(url: URL, live: number): Promise<Statement[] | null> {
  const path = url.pathname;
  if (path === '/records') {
    const page = Number(url.searchParams.get('page') ?? '1');
    return [pageStatement(live, {}, (page - 1) * LIMIT, LIMIT)];
  }
  if (path.startsWith('/records/')) return [recordStatement(live, Number(path.slice('/records/'.length)))];
  if (path === '/stats/risk') return [summaryStatement(live), aggregatesStatement(live)];
  if (path === '/stats/age') return [aggregatesStatement(live)];
  return null;
}

export default {
  async fetch(request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    client ??= new Client({ url: env.DATABASE_URL });
    const c = client;
    dataset ??= c.execute(POINTER_SQL).then((r) => Number((r.rows[0] as { live_dataset: unknown }).live_dataset));
    const url = new URL(request.url);
    const sts = await statements(url, await dataset);
    if (!sts)
      return new Response('{"error":"Not Found"}', { status: 404, headers: { 'content-type': 'application/json' } });
    const stats = url.pathname.startsWith('/stats/');
    const key = `fetch-floor:${url.pathname}`;
    if (stats) {
      l2 ??= createUpstashCache(
        createUpstashRedis({
          url: env.UPSTASH_REDIS_REST_URL,
          token: env.UPSTASH_REDIS_REST_TOKEN,
          timeoutMs: 1000,
        }),
      );
      await l2.get(key);
    }
    const rows = await Promise.all(sts.map((st) => rowsOf(c, st)));
    const body = JSON.stringify(rows.length === 1 ? rows[0] : rows);
    if (stats) ctx.waitUntil(l2!.set(key, `${Date.now()}\n${body}`, STATS_POLICY.ttlSeconds).catch(() => {}));
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  },
};
