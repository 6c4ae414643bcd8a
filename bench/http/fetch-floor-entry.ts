// Bench-only Worker entry for the "fetch floor": for each database-backed endpoint, the same
// PlanetScale statements the API's store sends for that request (the statement builders of
// src/data/planetscale-store.ts, with the same arguments), executed by @planetscale/database on the
// same DATABASE_URL (the reader password), and the driver's rows returned as JSON. Nothing else: no
// Hono, no key check, no validation, no cache, no casting beyond the driver's. What an endpoint
// costs beyond this Worker is the app's own work around its subrequests.
//
// Per request, as the API (or its uncached twin) sends them in steady state:
// - GET /records?page=N: the page statement (the total is cached by the API, its pointer too);
// - GET /records/{id}: the record statement;
// - GET /stats/risk: the summary and aggregates statements, in parallel (the uncached twin's load);
// - GET /stats/age: the aggregates statement.
// The live dataset id is read once per isolate (the API keeps it for an L1 lifetime).
import { Client } from '@planetscale/database';
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
}

/** /records' default page size (src/contract/schemas.ts): the bench asks for pages at that limit. */
const LIMIT = 20;

let client: Client | undefined;
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
  async fetch(request: Request, env: Env): Promise<Response> {
    client ??= new Client({ url: env.DATABASE_URL });
    const c = client;
    dataset ??= c.execute(POINTER_SQL).then((r) => Number((r.rows[0] as { live_dataset: unknown }).live_dataset));
    const sts = await statements(new URL(request.url), await dataset);
    if (!sts)
      return new Response('{"error":"Not Found"}', { status: 404, headers: { 'content-type': 'application/json' } });
    const rows = await Promise.all(sts.map((st) => rowsOf(c, st)));
    return new Response(JSON.stringify(rows.length === 1 ? rows[0] : rows), {
      headers: { 'content-type': 'application/json' },
    });
  },
};
