// Local stand-in for Upstash Redis: an HTTP server speaking the Upstash REST API the official
// @upstash/redis SDK uses (docs/protocols.md#upstash-rest-api), forwarding to a real Redis. It can play a
// global database seen from far away (`replication`): slow writes and sync-token waits.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSimulatedNetwork, type LatencyProfile, type SimulatedNetwork } from './network.ts';
import { createExecutor } from './upstash/execute.ts';
import { GatewayError } from './upstash/gateway-error.ts';
import { describeRedis, openRedisConnections, type RedisConnections } from './upstash/redis-connections.ts';
import { errorJson, outcomeJson } from './upstash/reply-json.ts';
import { createReplication, type ReplicationProfile, type ReplicationStats } from './upstash/replication.ts';
import { parseCommand, parseCommandList, parseJson, readBody } from './upstash/request-body.ts';

export type { ReplicationProfile, ReplicationStats } from './upstash/replication.ts';

export interface UpstashGatewayOptions {
  /** Where Redis lives, e.g. redisUrl() from local/config.ts. */
  redisUrl: string;
  /** The Bearer token clients must present. */
  token: string;
  /** 0 or undefined: an ephemeral port. */
  port?: number;
  /** Largest accepted request body; default 10 MiB (a 5 MB value plus JSON framing fits). */
  maxBodyBytes?: number;
  /**
   * A global database whose primary is far from this edge (upstash/replication.ts): writes wait
   * the round trip to it, and reads carrying a sync token wait for the replica to catch up.
   * Default: none (a regional database next door).
   */
  replication?: ReplicationProfile;
  /** The round trip from the Worker's edge to the nearest replica (local/network.ts); default none. */
  latency?: LatencyProfile;
}

export interface RunningGateway {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  token: string;
  /** Requests that wrote, that only read, and the reads a sync token made wait. */
  stats(): ReplicationStats;
  /** Puts the primary far away (or, with undefined, next door) from now on. */
  setReplication(profile: ReplicationProfile | undefined): void;
  /** The simulated network in front of it: its latency profile and each request's trip. */
  network: Pick<SimulatedNetwork, 'setLatency' | 'latency' | 'trips'>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

type Endpoint = 'command' | 'pipeline' | 'multi-exec';
const ENDPOINTS: Record<string, Endpoint> = { '/': 'command', '/pipeline': 'pipeline', '/multi-exec': 'multi-exec' };
// Node's HTTP parser errors that deserve something more precise than 400.
const CLIENT_ERROR_STATUS: Record<string, [number, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout'],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large'],
};

export async function startUpstashGateway(opts: UpstashGatewayOptions): Promise<RunningGateway> {
  if (!opts.token) throw new Error('startUpstashGateway: token is empty; pass the Bearer token clients must present');
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const expectedToken = digest(opts.token);
  const redisWhere = describeRedis(opts.redisUrl);
  const conns = await openRedisConnections(opts.redisUrl);
  const executor = createExecutor(conns);
  const replication = createReplication(conns.send, opts.replication);

  function reply(res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(json)),
      // Upstash returns a token naming the primary's state after every request, and a read that
      // sends it back waits for the replica to reach that state (Docs howto/readyourwrites;
      // redis-js pkg/http.ts sends the latest unless readYourWrites is off).
      'upstash-sync-token': replication.token(),
      ...headers,
    });
    res.end(json);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const endpoint = route(req);
    authorize(req, expectedToken);
    requireJson(req);
    const body = parseJson(await readBody(req, maxBodyBytes));
    // Telemetry headers (Upstash-Telemetry-*) are read by nobody.
    const base64 =
      String(req.headers['upstash-encoding'] ?? '')
        .trim()
        .toLowerCase() === 'base64';
    const syncToken = req.headers['upstash-sync-token'] as string | undefined;
    if (endpoint === 'command') {
      const command = parseCommand(body);
      const outcome = await replication.around([command], syncToken, () => executor.runCommand(command));
      reply(res, 'error' in outcome ? 400 : 200, outcomeJson(outcome, base64));
      return;
    }
    const commands = parseCommandList(body);
    const run = () => (endpoint === 'pipeline' ? executor.runPipeline(commands) : executor.runMultiExec(commands));
    const outcomes = await replication.around(commands, syncToken, run);
    reply(res, 200, `[${outcomes.map((o) => outcomeJson(o, base64)).join(',')}]`);
  }

  const network = createSimulatedNetwork(opts.latency);
  const server = createServer(
    network.wrap((req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (err instanceof GatewayError) reply(res, err.status, errorJson(err.message), err.headers);
        else reply(res, 500, errorJson(`ERR Redis at ${redisWhere} is unavailable: ${(err as Error).message}`));
      });
    }),
  );
  // Malformed HTTP never reaches the handler; answer it in JSON too (the SDK parses every body).
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const [status, text] = CLIENT_ERROR_STATUS[err.code ?? ''] ?? [400, 'Bad Request'];
    const json = errorJson(`ERR ${text.toLowerCase()} (${err.code ?? err.message})`);
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n` +
        `upstash-sync-token: ${replication.token()}\r\nConnection: close\r\n\r\n${json}`,
    );
  });

  try {
    await listen(server, opts.port ?? 0);
  } catch (err) {
    await conns.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token: opts.token,
    stats: () => replication.stats(),
    setReplication: (profile) => replication.setProfile(profile),
    network,
    close: () => (closing ??= shutdown(server, conns)),
  };
}

function route(req: IncomingMessage): Endpoint {
  const url = new URL(req.url ?? '/', 'http://gateway');
  // Path-style commands (GET /get/k) and ?_token= are REST API features the SDK never uses
  // (Docs restapi); left out on purpose (docs/protocols.md#not-implemented).
  if (url.searchParams.has('_token')) {
    throw new GatewayError(
      404,
      'ERR the _token query parameter is not supported here; send Authorization: Bearer <token>',
    );
  }
  const endpoint = ENDPOINTS[url.pathname];
  if (!endpoint) {
    throw new GatewayError(
      404,
      `ERR no endpoint ${url.pathname}: POST a JSON command to /, /pipeline or /multi-exec (path-style commands are not supported)`,
    );
  }
  if (req.method !== 'POST')
    throw new GatewayError(405, `ERR method ${req.method} not allowed; use POST`, { Allow: 'POST' });
  return endpoint;
}

/** `Authorization: Bearer <token>` (redis-js platforms/*.ts); the SDK reports 401 as "Unauthorized". */
function authorize(req: IncomingMessage, expected: Buffer): void {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) throw new GatewayError(401, 'Unauthorized');
}

/** SRH content_type_check_plug.ex answers 400 to anything but application/json. */
function requireJson(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new GatewayError(400, 'ERR Content-Type must be application/json');
}

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const hint = err.code === 'EADDRINUSE' ? `: port ${port} is in use; choose another port (or 0 for any)` : '';
      reject(new Error(`Upstash gateway could not listen on 127.0.0.1:${port}${hint}`, { cause: err }));
    };
    server.once('error', onError);
    // Loopback only: this is a development stand-in with a well-known token.
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
}

async function shutdown(server: ReturnType<typeof createServer>, conns: RedisConnections): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections(); // keep-alive sockets would otherwise hold the process open
  await stopped;
  await conns.close();
}
