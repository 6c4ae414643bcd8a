// An HTTP proxy in front of a gateway whose behaviour a test switches at will: pass through,
// down (connections dropped), slow (delayed), or garbage (200 with a non-JSON body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FaultMode = 'pass' | 'down' | 'slow' | 'garbage';

export interface FaultProxy {
  url: string;
  mode: FaultMode;
  slowMs: number;
  requests: number;
  close(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const proxy: FaultProxy = { url: '', mode: 'pass', slowMs: 10_000, requests: 0, close: async () => {} };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    // A client that gives up (the Worker's timeout) aborts the request mid-way: not an error here.
    handle(req, res).catch(() => req.socket.destroy());
  });
  async function handle(req: IncomingMessage, res: ServerResponse) {
    proxy.requests++;
    if (proxy.mode === 'down') return void req.socket.destroy();
    if (proxy.mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html>502 upstream exploded</html>');
    }
    if (proxy.mode === 'slow') {
      await new Promise<void>((r) => {
        const t = setTimeout(r, proxy.slowMs);
        timers.add(t);
        res.on('close', () => (clearTimeout(t), r()));
      });
      if (res.destroyed) return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === 'string' && k !== 'host' && k !== 'content-length') headers.set(k, v);
    const r = await fetch(new URL(req.url ?? '/', upstream.origin), {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
    });
    const body = Buffer.from(await r.arrayBuffer());
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    res.end(body);
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  // Keep the upstream credentials (PlanetScale uses Basic auth in the URL).
  const u = new URL(target);
  u.host = `127.0.0.1:${port}`;
  proxy.url = u.toString().replace(/\/$/, '');
  proxy.close = () =>
    new Promise((r) => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      server.close(() => r());
    });
  return proxy;
}
