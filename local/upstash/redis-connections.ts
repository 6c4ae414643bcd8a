// node-redis wiring for the gateway: one shared RESP2 connection for ordinary commands, plus
// dedicated connections (pooled) for MULTI/EXEC and blocking commands.
import { createClient, ErrorReply, RESP_TYPES } from 'redis';
import { GatewayError } from './gateway-error.ts';

/** Sends one command and resolves with the raw reply (see RAW_REPLIES). */
export type Send = (args: string[]) => Promise<unknown>;

export interface RedisConnections {
  /** The shared connection: commands from concurrent requests interleave, each in order. */
  send: Send;
  /** Runs `task` on a connection nobody else uses meanwhile. */
  withDedicated<T>(task: (send: Send) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Bulk and status strings as raw Buffers (binary-safe, base64 of the real bytes) and integers
// as decimal strings (all 64 bits). RESP2 only: node-redis 6 defaults to RESP3, whose maps,
// sets, doubles and booleans the Upstash format cannot carry (docs/protocols.md#response-encoding).
const RAW_REPLIES = {
  typeMapping: {
    [RESP_TYPES.BLOB_STRING]: Buffer,
    [RESP_TYPES.SIMPLE_STRING]: Buffer,
    [RESP_TYPES.NUMBER]: String,
  },
} as const;

const MAX_IDLE_DEDICATED = 8;
const STARTUP_WAIT_MS = 5_000;

function makeClient(url: string, reconnect: boolean) {
  return createClient({
    url,
    RESP: 2,
    // Fail fast while Redis is away (the gateway answers 500) instead of queueing forever.
    disableOfflineQueue: true,
    socket: { reconnectStrategy: reconnect ? (retries: number) => Math.min(50 * 2 ** retries, 2_000) : false },
  });
}
type Client = ReturnType<typeof makeClient>;

const sender =
  (client: Client): Send =>
  (args) =>
    client.sendCommand(args, RAW_REPLIES);

/** The URL without credentials, for messages. */
export function describeRedis(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

/**
 * Connects the shared client. Resolves once it is ready or its first attempt failed: the
 * gateway must still start (and answer 500) while Redis is down, and it keeps reconnecting.
 */
export async function openRedisConnections(url: string): Promise<RedisConnections> {
  const where = describeRedis(url);
  const shared = makeClient(url, true);
  let outage = false;
  shared.on('error', (err: Error) => {
    if (!outage) console.warn(`[upstash-gateway] Redis at ${where}: ${err.message} (reconnecting)`);
    outage = true;
  });
  shared.on('ready', () => {
    if (outage) console.warn(`[upstash-gateway] Redis at ${where}: reconnected`);
    outage = false;
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    shared.connect().catch(() => undefined),
    new Promise((resolve) => shared.once('error', resolve)),
    new Promise((resolve) => (timer = setTimeout(resolve, STARTUP_WAIT_MS).unref())),
  ]);
  clearTimeout(timer);

  const idle: Client[] = [];
  const busy = new Set<Client>();
  let closed = false;

  async function acquire(): Promise<Client> {
    for (let c = idle.pop(); c; c = idle.pop()) {
      if (c.isReady) return c;
      c.destroy();
    }
    // No reconnect loop for dedicated connections: a failed connect is a 500 right away.
    const client = makeClient(url, false);
    client.on('error', () => undefined); // reported through the failing command
    await client.connect();
    return client;
  }

  function release(client: Client, reusable: boolean): void {
    busy.delete(client);
    if (reusable && !closed && client.isReady && idle.length < MAX_IDLE_DEDICATED) idle.push(client);
    else client.destroy();
  }

  return {
    send: sender(shared),
    async withDedicated(task) {
      if (closed) throw new Error('the gateway is closing');
      const client = await acquire();
      busy.add(client);
      let reusable = false;
      try {
        const result = await task(sender(client));
        reusable = true;
        return result;
      } catch (err) {
        // A Redis error reply leaves the connection usable; anything else may not.
        reusable = err instanceof ErrorReply || err instanceof GatewayError;
        throw err;
      } finally {
        release(client, reusable);
      }
    },
    async close() {
      closed = true;
      for (const c of [...idle.splice(0), ...busy]) c.destroy();
      busy.clear();
      if (shared.isReady) await shared.close().catch(() => shared.destroy());
      else if (shared.isOpen) shared.destroy();
    },
  };
}
