// Bench-only Worker entry for the "floor": what every answer of this API costs before any route
// does its own work. Hono, the app's route handler (request context: request id, timings) and a response built by
// the app's respond(), with every common header docs/api.md#common-headers requires; the POST route also reads its
// body under the contract's JSON body rules (src/http/json-body.ts), whose refusals get the
// contract's error body. No key check, no rate limit, no metrics, no validation, no data. Next to
// the hello-world ceiling it shows how much of the ceiling's throughput the runtime leaves to any
// endpoint that keeps the contract.
import { Hono } from 'hono';
import { ApiError } from '../../src/http/errors.ts';
import type { AppEnv } from '../../src/http/hono-env.ts';
import { readJsonBody } from '../../src/http/json-body.ts';
import { begin, routeKit } from '../../src/http/request-context.ts';
import { json } from '../../src/http/respond.ts';

const kit = routeKit(() => {});
const app = new Hono<AppEnv>();
app.get(
  '/',
  kit.open((c) => json(c, { status: 'ok' })),
);
app.post(
  '/',
  kit.open(async (c) => {
    await readJsonBody(c);
    return json(c, { status: 'ok' });
  }),
);
app.onError((err, c) => {
  begin(c);
  return err instanceof ApiError
    ? json(c, { error: err.error, message: err.message }, err.status)
    : json(c, { error: 'Internal Server Error', message: 'An unexpected error occurred' }, 500);
});

export default app;
