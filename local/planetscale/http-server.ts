// HTTP front of the PlanetScale gateway (node:http): routes the psdb.v1alpha1.Database endpoints database-js
// calls (and the gateway's own /__gateway/ test controls), checks Basic auth, reads the JSON body, and answers
// every failure as JSON with an `error` wrapper.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { serveAdmin, ADMIN_PREFIX } from './admin-routes.ts';
import type { AdminContext } from './admin-routes.ts';
import { HttpFailure, httpErrorBody, type RequestBody } from './errors.ts';
import type { SessionManager } from './session-manager.ts';

export interface Credentials {
  username: string;
  password: string;
}

/** Largest request body accepted; an inlined query bigger than this gets 413. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const SERVICE = '/psdb.v1alpha1.Database/';

/** The request handler for `http.createServer`. */
export function createHandler(sessions: SessionManager, credentials: Credentials, admin: AdminContext) {
  const checkAuth = authChecker(credentials);

  return function handlePlanetScaleRequest(req: IncomingMessage, res: ServerResponse): void {
    serve(req, res).catch((err: unknown) => {
      if (err instanceof HttpFailure) return sendError(res, err);
      sendError(res, new HttpFailure(500, 'internal', `gateway error: ${(err as Error)?.message ?? String(err)}`));
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://gateway').pathname;
    if (path.startsWith(ADMIN_PREFIX)) {
      // The gateway's own controls for tests: never a psdb path, so database-js cannot reach them.
      return serveAdmin(
        req,
        path,
        admin,
        () => checkAuth(req.headers.authorization),
        readJsonBody,
        (status, body) => send(res, status, body),
      );
    }
    const method = path.startsWith(SERVICE) ? path.slice(SERVICE.length) : '';
    // The driver only calls Execute and CreateSession; CloseSession is ps-http-sim's extra. ExecuteBatch,
    // StreamExecute and Prepare exist in psdb database.proto but no client here uses them.
    if (method !== 'Execute' && method !== 'CreateSession' && method !== 'CloseSession') {
      throw new HttpFailure(404, 'not_found', `no such endpoint: ${req.method} ${path}`);
    }
    if (req.method !== 'POST') {
      throw new HttpFailure(405, 'unimplemented', `${req.method} is not supported; use POST`, { Allow: 'POST' });
    }
    checkAuth(req.headers.authorization);
    const body = await readJsonBody(req);

    if (method === 'CreateSession') {
      await sessions.ping().catch((err: unknown) => {
        throw new HttpFailure(503, 'unavailable', `MariaDB is not reachable: ${(err as Error).message}`);
      });
      // psdb CreateSessionResponse: branch, user (psdb.v1alpha1.User) and session; the branch is the configured name.
      const user = { username: credentials.username, psid: 'planetscale-1' };
      return send(res, 200, JSON.stringify({ branch: admin.branch, user, session: sessions.newSession() }));
    }
    if (method === 'CloseSession') return send(res, 200, await sessions.closeSession(body.session));

    if (typeof body.query !== 'string') {
      throw new HttpFailure(400, 'invalid_argument', 'ExecuteRequest.query must be a string');
    }
    send(res, 200, await sessions.execute(body.session ?? null, body.query));
  }
}

/** Malformed HTTP (Node's 'clientError'): still a JSON `error` body, never Node's bare "400 Bad Request". */
export function handleClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const body = httpErrorBody('invalid_argument', `malformed HTTP request: ${err.code ?? err.message}`);
  const head = ['HTTP/1.1 400 Bad Request', 'Content-Type: application/json', 'Connection: close'];
  socket.end(`${head.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/**
 * Basic auth as psdb auth/auth.go parses it: split at the first ':', and an empty username or password is
 * malformed. Credentials are compared with the configured ones. database-js takes them from `new URL(url)`,
 * which keeps userinfo percent-encoded, so the decoded form is accepted as well.
 */
function authChecker(expected: Credentials): (header: string | undefined) => void {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const user = digest(expected.username);
  const pass = digest(expected.password);
  const same = (a: Buffer, text: string) => timingSafeEqual(a, digest(text));
  const matches = (a: Buffer, text: string) => same(a, text) || same(a, safeDecode(text));

  return (header) => {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
    const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const username = colon > 0 ? decoded.slice(0, colon) : '';
    const password = colon > 0 ? decoded.slice(colon + 1) : '';
    if (!username || !password || !matches(user, username) || !matches(pass, password)) {
      // The shape of database-js's own fixture for a rejected request (__tests__/index.test.ts).
      throw new HttpFailure(401, 'unauthenticated', 'invalid auth credentials', {
        'WWW-Authenticate': 'Basic realm="planetscale"',
      });
    }
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export type { RequestBody } from './errors.ts';

export async function readJsonBody(req: IncomingMessage): Promise<RequestBody> {
  const text = (await readBody(req)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as RequestBody;
  } catch {
    // fall through to the 400 below
  }
  throw new HttpFailure(400, 'invalid_argument', 'request body must be a JSON object');
}

/** The whole body, or 413 as soon as it is known to be too large (the rest is read and dropped, so the
 *  reply can still be written on this socket). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = () =>
    new HttpFailure(413, 'resource_exhausted', `request body is larger than ${MAX_BODY_BYTES} bytes`, {
      Connection: 'close',
    });
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      failed = true;
      chunks.length = 0;
      reject(tooLarge());
    });
    req.on('end', () => failed || resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function sendError(res: ServerResponse, failure: HttpFailure): void {
  send(res, failure.status, httpErrorBody(failure.code, failure.message), failure.headers);
}
