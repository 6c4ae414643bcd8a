// X-API-KEY check against the configured keys, in constant time per key (API.md "Common rules").
import type { MiddlewareHandler } from 'hono';
import { unauthorized } from './errors.ts';

const encoder = new TextEncoder();

/** Compares every byte of the expected key whatever the input, so timing reveals nothing but its length. */
function timingSafeEqual(expected: Uint8Array, given: Uint8Array): boolean {
  let diff = expected.length ^ given.length;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ (given[i] ?? 0);
  return diff === 0;
}

export function matchApiKey(keys: readonly Uint8Array[], given: string | undefined): boolean {
  if (!given) return false;
  const bytes = encoder.encode(given);
  let ok = false;
  // Check every key (no early exit), so the position of the matching key does not show either.
  for (const key of keys) ok = timingSafeEqual(key, bytes) || ok;
  return ok;
}

export function apiKeyAuth(apiKeys: readonly string[]): MiddlewareHandler {
  const keys = apiKeys.map((k) => encoder.encode(k));
  return async function apiKeyAuth(c, next) {
    if (!matchApiKey(keys, c.req.header('x-api-key'))) throw unauthorized();
    await next();
  };
}
