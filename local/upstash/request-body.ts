// Reads an Upstash REST request body (bounded) and turns it into Redis argument lists:
// one command for `POST /`, a list of commands for `/pipeline` and `/multi-exec`.
import type { IncomingMessage } from 'node:http';
import { GatewayError } from './gateway-error.ts';

export type RedisCommand = string[];

/**
 * Collects the body, or rejects with 413 once it passes `maxBytes`. An oversize body is still
 * drained (and discarded) so the client finishes sending and reads the 413: the SDK retries
 * only when fetch itself throws (redis-js pkg/http.ts), so a reset socket would turn one
 * clear error into five retries and a TypeError.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    let tooLarge = Number.isFinite(declared) && declared > maxBytes;
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (tooLarge) chunks.length = 0;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new GatewayError(413, 'ERR request too large', { Connection: 'close' }));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on('error', reject);
    req.on('close', () => reject(new Error('client closed the connection before sending the whole body')));
  });
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError(400, 'ERR failed to parse the request body as JSON');
  }
}

/** `POST /` body: `["set","k","v","ex",60]` (docs/protocols.md#upstash-endpoints-and-bodies). */
export function parseCommand(value: unknown): RedisCommand {
  if (!Array.isArray(value)) {
    throw new GatewayError(400, 'ERR the request body must be a JSON array: ["command", ...args]');
  }
  if (value.length === 0) throw new GatewayError(400, 'ERR empty command');
  return value.map(toArgument);
}

/** `/pipeline` and `/multi-exec` bodies: `[["set","a","1"],["get","a"]]`. */
export function parseCommandList(value: unknown): RedisCommand[] {
  if (!Array.isArray(value) || !value.every(Array.isArray)) {
    throw new GatewayError(400, 'ERR the request body must be a JSON array of commands: [["command", ...args], ...]');
  }
  return value.map(parseCommand);
}

// The SDK sends strings, numbers and booleans and JSON-stringifies everything else itself
// (redis-js pkg/commands/command.ts defaultSerializer), so any other JSON value, such as the
// `null` an `undefined` argument becomes, is a client bug.
function toArgument(arg: unknown): string {
  switch (typeof arg) {
    case 'string':
      return arg;
    case 'number':
      return String(arg);
    case 'boolean':
      return arg ? 'true' : 'false';
    default:
      throw new GatewayError(400, 'ERR invalid argument');
  }
}
