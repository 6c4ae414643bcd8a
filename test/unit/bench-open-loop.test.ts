// The fixed-rate generator: requests go out on schedule whatever the server does, and latency
// counts from each request's intended send time, so a server stall is not hidden.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openLoop } from '../../loadkit/http/open-loop.ts';
import { openLoopOnThread } from '../../loadkit/http/open-loop-thread.ts';
import { ResponseFramer, serialize } from '../../loadkit/http/raw-http.ts';

let server: Server | undefined;
/** The server's open sockets. */
const sockets = new Set<Socket>();

async function serve(handler: (n: number, answer: () => void) => void): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(++n, () => res.end('ok')));
  });
  server.on('connection', (c: Socket) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** Half a second of GETs at 200 req/s over one socket. */
const oneSocketRun = (url: string) =>
  openLoop({ url, requests: [{ method: 'GET', path: '/' }], rate: 200, durationS: 0.5, warmupS: 0, maxSockets: 1 });

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
    const r = await openLoop({
      url,
      requests: [{ method: 'POST', path: '/', body: '{}' }],
      rate: 200,
      durationS: 1.5,
      warmupS: 0,
      maxSockets: 1,
    });
    expect(r.latency.p90).toBeGreaterThanOrEqual(100);
    expect(r.service.p90).toBeLessThan(r.latency.p90 / 4);
    expect(r.latency.max).toBeGreaterThanOrEqual(290);
    // The 300 ms with requests outstanding and no response is one stall, inside the measured window.
    expect(r.stalls[0]!.ms).toBeGreaterThanOrEqual(280);
    expect(r.stalledMs).toBeGreaterThanOrEqual(280);
    expect(r.stalls[0]!.at).toBeGreaterThanOrEqual(r.window.from);
    expect(r.stalls[0]!.at).toBeLessThan(r.window.to);
    expect(r.window.to - r.window.from).toBe(1500);
  });

  it('counts a request whose connection the server dropped, and says why and on what connection', async () => {
    // One socket: the 20th request finds its keep-alive connection dropped by the server.
    const url = await serve((n, answer) => (n === 20 ? server?.closeAllConnections() : answer()));
    const r = await oneSocketRun(url);
    expect(r.errors).toBe(1);
    expect(r.failed).toBe(1);
    const kinds = Object.entries(r.errorKinds ?? {});
    expect(kinds).toHaveLength(1);
    expect(kinds[0]![0]).toMatch(/^(closed|ECONNRESET), reused connection$/);
    expect(kinds[0]![1]).toBe(1);
  });

  it('a reset connection fails its one request; the next request, on a new connection, is answered', async () => {
    // The server holds the 20th request for 50 ms (the ones due meanwhile wait for the one socket),
    // then resets the connection: 'error' (ECONNRESET) and then 'close' come from that one socket,
    // and the first waiting request goes out on a new one in between. One failure, not two.
    const url = await serve((n, answer) => {
      if (n !== 20) return answer();
      setTimeout(() => {
        for (const c of sockets) c.resetAndDestroy();
      }, 50);
    });
    const r = await oneSocketRun(url);
    expect(r.errors).toBe(1);
    expect(r.failed).toBe(1);
    expect(r.completed).toBe(r.sent);
    expect(r.errorKinds).toEqual({ 'ECONNRESET, reused connection': 1 });
  });

  it('says it could not hold the rate when the server falls behind', async () => {
    const url = await serve(() => {}); // never answers
    const closing = openLoop({
      url,
      requests: [{ method: 'GET', path: '/' }],
      rate: 500,
      durationS: 1,
      warmupS: 0,
      maxOutstanding: 50,
    });
    setTimeout(() => server?.closeAllConnections(), 400);
    const r = await closing;
    expect(r.held).toBe(false);
    expect(r.note).toMatch(/outstanding/);
  });
});

describe('openLoopOnThread', () => {
  it('runs a step on a worker thread of its own and hands back its result, or its error', async () => {
    const url = await serve((_, answer) => answer());
    const r = await openLoopOnThread({
      url,
      requests: [{ method: 'GET', path: '/' }],
      rate: 100,
      durationS: 0.5,
      warmupS: 0,
    });
    expect(r.requestedRate).toBe(100);
    expect(r.completed).toBeGreaterThanOrEqual(45);
    expect(r.failed + r.errors).toBe(0);
    await expect(openLoopOnThread({ url, requests: [], rate: 100, durationS: 0.5 })).rejects.toThrow(/no requests/);
  });
});

describe('ResponseFramer', () => {
  const frame = (...chunks: string[]) => {
    const got: number[] = [];
    const f = new ResponseFramer((s) => got.push(s));
    for (const c of chunks) f.push(Buffer.from(c));
    return got;
  };

  it('frames by Content-Length, across chunk boundaries, two responses in one chunk', () => {
    expect(frame('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel', 'lo')).toEqual([200]);
    expect(
      frame('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'),
    ).toEqual([200, 404]);
    expect(frame('HTTP/1.1 503 Service Unavailable\r\nContent-Len', 'gth: 1\r\n\r', '\nx')).toEqual([503]);
  });

  it('frames chunked bodies, and waits for the last chunk', () => {
    expect(frame('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n')).toEqual([]);
    expect(frame('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', '0\r\n\r\n')).toEqual([200]);
  });

  it('serializes a request with its headers and body length', () => {
    const bytes = serialize(
      { method: 'POST', path: '/simulate', headers: { 'x-api-key': 'k' }, body: '{"a":"é"}' },
      '127.0.0.1:8787',
    ).toString();
    expect(bytes).toBe(
      'POST /simulate HTTP/1.1\r\nHost: 127.0.0.1:8787\r\nConnection: keep-alive\r\nx-api-key: k\r\nContent-Length: 10\r\n\r\n{"a":"é"}',
    );
  });
});
