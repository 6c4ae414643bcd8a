// Upstash REST commands (a JSON array POSTed to the base URL, as @upstash/redis sends it), for
// the bench, the load tests and the tests to find and delete cache keys on a local stack's gateway.
export async function deleteKeys(upstash: { url: string; token: string }, keys: readonly string[]): Promise<number> {
  const res = await fetch(upstash.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstash.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(['DEL', ...keys]),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json().catch(() => ({}))) as { result?: number; error?: string };
  if (!res.ok || body.error) throw new Error(`Upstash DEL failed: ${res.status} ${body.error ?? ''}`);
  return body.result ?? 0;
}

/** The keys matching a Redis glob (one KEYS: only for a local stack's small database). */
export async function keysLike(upstash: { url: string; token: string }, pattern: string): Promise<string[]> {
  const res = await fetch(upstash.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${upstash.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(['KEYS', pattern]),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as { result?: string[]; error?: string };
  if (!res.ok || !body.result) throw new Error(`Upstash KEYS failed: ${res.status} ${body.error ?? ''}`);
  return body.result;
}
