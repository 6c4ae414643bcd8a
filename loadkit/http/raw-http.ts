// A minimal HTTP/1.1 keep-alive client for load generation: requests are serialized to bytes once,
// each socket carries one request at a time, and responses are framed by Content-Length or chunked
// encoding without building header objects. Node's http client costs several times more CPU per
// request, and on two cores the generator must leave the Worker its core (autocannon takes the
// same approach for the saturation runs).
import { connect, type Socket } from 'node:net';
import type { RequestSpec } from './load.ts';

/** One request as bytes, ready to write. */
export function serialize(spec: RequestSpec, host: string): Buffer {
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  let head = `${spec.method} ${spec.path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n`;
  for (const [k, v] of Object.entries(spec.headers ?? {})) head += `${k}: ${v}\r\n`;
  if (body) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head), body]) : Buffer.from(head);
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

/**
 * Frames responses on one connection: feed it bytes, it calls `onResponse(status)` at the end of
 * each one. Enough for what a Worker runtime sends (Content-Length, or chunked without trailers).
 */
export class ResponseFramer {
  private buf: Buffer = Buffer.alloc(0);
  private status = 0;
  /** Body bytes still expected (Content-Length), -1 chunked, null while reading the head. */
  private remaining: number | null = null;

  constructor(private readonly onResponse: (status: number) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.remaining === null) {
        const end = this.buf.indexOf(CRLFCRLF);
        if (end < 0) return;
        const head = this.buf.toString('latin1', 0, end);
        this.status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.remaining = length ? Number(length[1]) : /\r\ntransfer-encoding:\s*chunked/i.test(head) ? -1 : 0;
        this.buf = this.buf.subarray(end + 4);
      }
      if (this.remaining >= 0) {
        if (this.buf.length < this.remaining) return;
        this.buf = this.buf.subarray(this.remaining);
      } else {
        const end = this.buf.indexOf(LAST_CHUNK);
        if (end < 0) return;
        this.buf = this.buf.subarray(end + LAST_CHUNK.length);
      }
      this.remaining = null;
      this.onResponse(this.status);
    }
  }
}

/**
 * Why a request got no response: the socket's error code (ECONNRESET, ECONNREFUSED…) or "closed"
 * (the server closed the connection without an error), and whether the connection had already
 * carried a response (a keep-alive connection the server closed as the request went out).
 */
export interface NoResponse {
  reason: string;
  reused: boolean;
}

export interface Connection {
  /**
   * Writes one request; `done(status)` is called with its response's status, or with 0 and why
   * when the connection failed before the response ended.
   */
  send(bytes: Buffer, done: (status: number, failure?: NoResponse) => void): void;
  busy: boolean;
  destroy(): void;
}

/**
 * A keep-alive connection that reconnects when the server closes it between requests. Only the
 * current socket reports: a replaced socket's late events ('close' after 'error', data after a
 * reset) reach nobody, so one failure fails one request, never the next one sent on its successor.
 */
export function openConnection(host: string, port: number): Connection {
  let socket: Socket | undefined;
  let pending: ((status: number, failure?: NoResponse) => void) | undefined;
  const conn: Connection = {
    busy: false,
    send(bytes, done) {
      conn.busy = true;
      pending = done;
      if (!socket || socket.destroyed) {
        /** Responses completed on this socket. */
        let served = 0;
        const framer = new ResponseFramer((status) => {
          served++;
          const cb = pending;
          pending = undefined;
          conn.busy = false;
          cb?.(status);
        });
        const s = connect({ host, port, noDelay: true });
        s.on('data', (chunk: Buffer) => {
          if (socket === s) framer.push(chunk);
        });
        const fail = (err?: Error) => {
          if (socket !== s) return;
          socket = undefined;
          const cb = pending;
          pending = undefined;
          conn.busy = false;
          cb?.(0, { reason: (err as NodeJS.ErrnoException | undefined)?.code ?? 'closed', reused: served > 0 });
        };
        s.on('error', fail);
        s.on('close', () => fail());
        socket = s;
      }
      socket.write(bytes);
    },
    destroy() {
      socket?.destroy();
      socket = undefined;
    },
  };
  return conn;
}
