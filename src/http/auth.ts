// X-API-KEY check against the configured keys, in constant time per key (docs/api.md#authentication).
import { unauthorized } from './errors.ts';
import type { Guard } from './request-context.ts';

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

/** The key check of every keyed route: a 401 unless X-API-KEY is one of the keys. */
export function apiKeyAuth(apiKeys: readonly string[]): Guard {
  const keys = [...apiKeys];
  return function apiKeyAuth(c) {
    if (!matchApiKey(keys, c.req.header('x-api-key'))) throw unauthorized();
  };
}
