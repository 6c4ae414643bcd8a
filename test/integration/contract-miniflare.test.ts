// The API contract against the production bundle in Miniflare, on the real local stack
// (PlanetScale and Upstash gateways → MariaDB and Redis, data loaded by the real ETL).
import { inject, it } from 'vitest';
import { describeContract } from '../support/contract.ts';
import { sendOnFreshConnection } from '../support/fresh-connection.ts';
import { missBurst } from '../support/stampede.ts';

const stack = inject('stack');

describeContract('production bundle in Miniflare, real stack', () => ({
  send: (path, init) => fetch(new URL(path, stack.api.url), init),
  sendAlone: sendOnFreshConnection(stack.api.url),
  key: stack.api.key,
}));

it('a burst of concurrent misses on one key: every request gets its own complete answer', async () => {
  await missBurst((path, init) => fetch(new URL(path, stack.api.url), init), stack.api.key, stack.upstash, 16, false);
});
