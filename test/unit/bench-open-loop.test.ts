// The fixed-rate generator: requests go out on schedule whatever the server does, and latency
// counts from each request's intended send time, so a server stall is not hidden.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openLoop } from '../../bench/http/open-loop.ts';

let server: Server | undefined;

async function serve(handler: (n: number, answer: () => void) => void): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(++n, () => res.end('ok')));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

describe('openLoop', () => {
  it('holds the requested rate against a server that keeps up', async () => {
    const url = await serve((_, answer) => answer());
    const r = await openLoop({ url, requests: [{ method: 'GET', path: '/' }], rate: 200, durationS: 1, warmupS: 0.2 });
    expect(r.held).toBe(true);
    expect(r.completed).toBeGreaterThanOrEqual(190);
    expect(Math.abs(r.achievedRate - 200) / 200).toBeLessThanOrEqual(0.05);
    expect(r.failed + r.errors).toBe(0);
  });

  it('a stall of the server shows in the latency of every request due during it, not only in the one it held', async () => {
    // One socket: while the server holds one request for 300 ms, the ones due meanwhile wait
    // unsent. A closed-loop tool would time them from when they went out (service) and see ~1 ms.
    const url = await serve((n, answer) => (n === 60 ? setTimeout(answer, 300) : answer()));
    const r = await openLoop({ url, requests: [{ method: 'POST', path: '/', body: '{}' }], rate: 200, durationS: 1.5, warmupS: 0, maxSockets: 1 });
    expect(r.latency.p90).toBeGreaterThanOrEqual(100);
    expect(r.service.p90).toBeLessThan(r.latency.p90 / 4);
    expect(r.latency.max).toBeGreaterThanOrEqual(290);
  });

  it('says it could not hold the rate when the server falls behind', async () => {
    const url = await serve(() => {}); // never answers
    const closing = openLoop({ url, requests: [{ method: 'GET', path: '/' }], rate: 500, durationS: 1, warmupS: 0, maxOutstanding: 50 });
    setTimeout(() => server?.closeAllConnections(), 400);
    const r = await closing;
    expect(r.held).toBe(false);
    expect(r.note).toMatch(/outstanding/);
  });
});
