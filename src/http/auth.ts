// X-API-KEY check against the configured keys, in constant time per key (docs/api.md#authentication).
import type { MiddlewareHandler } from 'hono';
import { unauthorized } from './errors.ts';

/**
 * Compares every UTF-16 unit of the expected key whatever the input, so timing reveals nothing
 * but its length. Works on the strings themselves: nothing is allocated per request.
 */
function timingSafeEqual(expected: string, given: string): boolean {
  let diff = expected.length ^ given.length;
  // Past the end of `given`, charCodeAt is NaN and `| 0` makes it 0: the step still runs.
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (given.charCodeAt(i) | 0);
  return diff === 0;
}

export function matchApiKey(keys: readonly string[], given: string | undefined): boolean {
  if (!given) return false;
  let ok = false;
  // Check every key (no early exit), so the position of the matching key does not show either.
  for (const key of keys) ok = timingSafeEqual(key, given) || ok;
  return ok;
}

export function apiKeyAuth(apiKeys: readonly string[]): MiddlewareHandler {
  const keys = [...apiKeys];
  // Not async: a synchronous throw reaches Hono's error handler all the same, and the request
  // path skips one promise per middleware.
  return function apiKeyAuth(c, next) {
    if (!matchApiKey(keys, c.req.header('x-api-key'))) throw unauthorized();
    return next();
  };
}
