// A request on a connection of its own. A server may answer 413 from the Content-Length alone and
// drop the connection while the body is still arriving; fetch's pooled socket would then carry
// that reset into the next request. Real clients see the same 413; the tests must not see a
// neighbour's reset.
import { request } from 'node:http';
import type { Send } from './contract.ts';

export function sendOnFreshConnection(base: string): Send {
  return (path, init = {}) =>
    new Promise((resolve, reject) => {
      const url = new URL(path, base);
      const body = typeof init.body === 'string' ? Buffer.from(init.body) : undefined;
      const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
      if (body) headers['content-length'] = String(body.length);
      let answered = false;
      const req = request(url, { method: init.method ?? 'GET', headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          answered = true;
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode, headers: h }));
        });
      });
      // The server may close while the body is still being written: that is not a failure once it answered.
      req.on('error', (err) => {
        if (!answered) reject(err);
      });
      req.end(body);
    });
}
