// Pure operations on a run's samples: join the runs of consecutive stages, and cut out the
// responses of one endpoint or one time window (for per-endpoint and per-stage figures).
import type { LoadSamples } from './load.ts';

/** Concatenates runs (e.g. the stages of a spike), re-indexing their endpoint names. */
export function joinSamples(list: LoadSamples[]): LoadSamples {
  const endpoints: string[] = [];
  const idx = (name: string) => {
    const i = endpoints.indexOf(name);
    return i >= 0 ? i : endpoints.push(name) - 1;
  };
  const n = list.reduce((a, s) => a + s.at.length, 0);
  const out: LoadSamples = {
    at: new Float64Array(n),
    ms: new Float32Array(n),
    status: new Uint16Array(n),
    endpoint: new Uint16Array(n),
    endpoints,
    cache: new Uint8Array(n),
    // Kept only when every run recorded it: a run without it would read as "no Retry-After".
    ...(list.every((s) => s.retryAfter) ? { retryAfter: new Uint8Array(n) } : {}),
    errors: list.flatMap((s) => s.errors),
    errorSamples: list.flatMap((s) => s.errorSamples),
  };
  let o = 0;
  for (const s of list) {
    const map = s.endpoints.map(idx);
    out.at.set(s.at, o);
    out.ms.set(s.ms, o);
    out.status.set(s.status, o);
    out.cache.set(s.cache, o);
    if (out.retryAfter && s.retryAfter) out.retryAfter.set(s.retryAfter, o);
    s.endpoint.forEach((e, i) => (out.endpoint[o + i] = map[e] ?? 0));
    o += s.at.length;
  }
  return out;
}

/** The responses (and connection errors) for which `keep` holds. */
export function selectSamples(s: LoadSamples, keep: (at: number, endpoint: string) => boolean): LoadSamples {
  const idx: number[] = [];
  for (let i = 0; i < s.at.length; i++)
    if (keep(s.at[i] as number, s.endpoints[s.endpoint[i] as number] ?? '?')) idx.push(i);
  return {
    at: Float64Array.from(idx, (i) => s.at[i] as number),
    ms: Float32Array.from(idx, (i) => s.ms[i] as number),
    status: Uint16Array.from(idx, (i) => s.status[i] as number),
    endpoint: Uint16Array.from(idx, (i) => s.endpoint[i] as number),
    endpoints: s.endpoints,
    cache: Uint8Array.from(idx, (i) => s.cache[i] as number),
    ...(s.retryAfter ? { retryAfter: Uint8Array.from(idx, (i) => s.retryAfter![i] as number) } : {}),
    errors: s.errors.filter((e) => keep(e.at, e.endpoint ?? '?')),
    errorSamples: s.errorSamples.filter((e) =>
      keep(e.at, `${e.method} ${e.path.split('?')[0]!.replace(/\/\d+(?=\/|$)/g, '/:id')}`),
    ),
  };
}

/** Samples completed in [fromMs, toMs). */
export const windowOf = (s: LoadSamples, fromMs: number, toMs: number) =>
  selectSamples(s, (at) => at >= fromMs && at < toMs);
