// Turns node-redis RESP2 replies (Buffers, integer strings, null, nested arrays) into the JSON
// the Upstash SDK decodes: strings base64-encoded at every depth when asked, never errors.
import { ErrorReply } from 'redis';

export type Outcome = { result: unknown } | { error: string };

// Integer replies arrive as decimal strings (typeMapping NUMBER → String, see
// redis-connections.ts) so 64-bit values reach the wire with every digit; every Redis string
// arrives as a Buffer, so a JS string here is always an integer.
const INTEGER = /^-?\d+$/;

/**
 * Standard padded base64 of the raw bytes for every string, including "OK" (as SRH
 * result_encoder.ex does); redis-js pkg/http.ts `decode` turns "T0s=" back into "OK", and a
 * bare "OK" inside an array would be corrupted by its base64 decode.
 */
export function encodeReply(reply: unknown, base64: boolean): string {
  if (reply === null || reply === undefined) return 'null';
  if (Buffer.isBuffer(reply)) return JSON.stringify(base64 ? reply.toString('base64') : reply.toString('utf8'));
  if (typeof reply === 'string') return INTEGER.test(reply) ? reply : JSON.stringify(reply);
  if (typeof reply === 'number') return Number.isFinite(reply) ? String(reply) : 'null';
  if (Array.isArray(reply)) return `[${reply.map((item) => encodeReply(item, base64)).join(',')}]`;
  // An error nested below the top level (a Lua table holding an error_reply) has no `error`
  // slot in the Upstash format; it travels as its message string.
  if (reply instanceof ErrorReply) return encodeReply(Buffer.from(reply.message), base64);
  throw new Error(`unexpected Redis reply of type ${typeof reply}`);
}

/** `{"result": X}` or `{"error": "msg"}`; every success carries `result`, even null, or the
 * SDK throws "Request did not return a result" (redis-js pkg/commands/command.ts). */
export function outcomeJson(outcome: Outcome, base64: boolean): string {
  return 'error' in outcome ? errorJson(outcome.error) : `{"result":${encodeReply(outcome.result, base64)}}`;
}

export function errorJson(message: string): string {
  return JSON.stringify({ error: message });
}
