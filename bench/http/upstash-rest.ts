// One Upstash REST command (a JSON array POSTed to the base URL, as @upstash/redis sends it),
// for the bench and load tests to delete cache keys on a local stack's gateway.
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
