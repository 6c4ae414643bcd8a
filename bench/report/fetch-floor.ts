// The fetch floor (bench/http/fetch-floor-entry.ts): a database-backed endpoint's instructions per
// response against a Worker that makes only the same PlanetScale subrequests and returns the
// driver's rows as JSON. The result's types, the ratios, the verdicts and the grouping of a
// callgrind profile by function name. Pure.

/** One Worker's count (the shape of InstructionFigures in types.ts, which imports this file). */
export interface FetchFloorFigures {
  id: string;
  label: string;
  /** The median of the windows' instructions per response. */
  perResponse: number;
  windows: number[];
}

/** A verdict, as bench/report/verdicts.ts (which imports this file) shows it. */
export interface FetchFloorVerdict {
  criterion: string;
  measured: string;
  pass: boolean | null;
}

/** The most an endpoint may cost per response, as a multiple of the fetch floor's. */
export const FETCH_FLOOR_TARGET = 1.5;

/** The endpoints compared, each with the statements both Workers send per response. */
export const FETCH_FLOOR_ENDPOINTS = [
  { id: 'records-first', statements: 'page' },
  { id: 'records-last', statements: 'page' },
  { id: 'record-by-id', statements: 'record' },
  { id: 'stats-risk-uncached', statements: 'Upstash GET, summary + aggregates, Upstash SET' },
  { id: 'stats-age-uncached', statements: 'Upstash GET, aggregates, Upstash SET' },
] as const;

/** One group of a profile: instructions per response whose function falls in it. */
export interface ProfileGroup {
  group: ProfileGroupName;
  /** Self instructions per response, the endpoint's. */
  endpoint: number;
  /** The same for the fetch floor. */
  fetchFloor: number;
}

export interface FetchFloorPair {
  id: string;
  label: string;
  /** The PlanetScale statements each response sends (both Workers). */
  statements: string;
  endpoint: FetchFloorFigures;
  fetchFloor: FetchFloorFigures;
  /** endpoint ÷ fetch floor, instructions per response. */
  ratio: number;
  /** Self cost per function of one window of each, grouped; absent when not taken. */
  profile?: ProfileGroup[];
}

export interface FetchFloorResult {
  /** valgrind's version; null when it could not be used (see `skipped`). */
  tool: string | null;
  skipped?: string;
  warmup: number;
  perWindow: number;
  windows: number;
  connections: number;
  target: number;
  pairs: FetchFloorPair[];
}

/** The pair's ratio, or null when the fetch floor's count is not positive. */
export function fetchFloorRatio(endpoint: number, fetchFloor: number): number | null {
  return fetchFloor > 0 ? endpoint / fetchFloor : null;
}

/** One verdict per counted pair; none when the fetch floor was not counted (judged only when measured). */
export function fetchFloorVerdicts(r: FetchFloorResult | null | undefined): FetchFloorVerdict[] {
  if (!r?.pairs.length) return [];
  return r.pairs.map((p) => ({
    criterion: `${p.label} instructions ≤ ${r.target} × the fetch floor's (same subrequests)`,
    measured: `${p.endpoint.perResponse.toLocaleString('en-US')} ÷ ${p.fetchFloor.perResponse.toLocaleString('en-US')} = ${p.ratio.toFixed(2)}`,
    pass: p.ratio <= r.target,
  }));
}

// --- the profile -----------------------------------------------------------------------------

export type ProfileGroupName =
  | 'JSON (V8 parse / stringify)'
  | 'regular expressions'
  | 'base64, UTF-8 (atob, text encoding)'
  | 'strings, objects, arrays (V8 builtins)'
  | 'interpreter and JIT-compiled JS'
  | 'compiler (Sparkplug, Maglev, TurboFan)'
  | 'garbage collection'
  | 'fetch, HTTP and streams (workerd, kj)'
  | 'memory, libc'
  | 'other';

/** First match wins: the order goes from the most specific names to the broadest. */
const GROUPS: readonly [ProfileGroupName, RegExp][] = [
  ['JSON (V8 parse / stringify)', /Json|JSON/],
  ['regular expressions', /RegExp|Regexp|irregexp|regexp/],
  [
    'base64, UTF-8 (atob, text encoding)',
    /[Bb]ase64|TextDecoder|TextEncoder|[Uu]tf8|UTF8|Utf16|ucnv|UConverter|simdutf|icu_/,
  ],
  [
    'memory, libc',
    /tcmalloc|malloc|^free|operator new|operator delete|HeapArrayDisposer|memcpy|memmove|memset|memcmp|memchr|strlen|strcasecmp|basic_string|from_chars|pthread|^_dl_|__dynamic_cast/,
  ],
  ['garbage collection', /Heap|Scaveng|MarkCompact|Sweep|Marking|Evacuat|GC|Gc[A-Z]|Remembered|Barrier|Allocat/],
  [
    'compiler (Sparkplug, Maglev, TurboFan)',
    /compiler::|maglev|Maglev|baseline|Baseline|Turbo|turboshaft|Compile|Parser|Scanner|Bytecode/,
  ],
  [
    'fetch, HTTP and streams (workerd, kj)',
    /kj::|capnp::|workerd::|ada::|Http|http|Stream|Fetch|Socket|epoll|openssl|SSL|boringssl|ssl_|sha|zlib|brotli|url/,
  ],
  [
    'interpreter and JIT-compiled JS',
    /^(\?\?\?|0x[0-9a-f]+)|Builtins_(Interpreter|Baseline|Call|Construct|JSEntry|CEntry|Resume|Ignition|.*Trampoline)|Runtime_|Deoptimiz|Execution::|Invoke/,
  ],
  [
    'strings, objects, arrays (V8 builtins)',
    /Builtins_|v8::|String|Object|Array|Map|Property|Lookup|Elements|Dictionary|Handle|Isolate|Factory/,
  ],
];

export function groupOf(fn: string): ProfileGroupName {
  for (const [name, re] of GROUPS) if (re.test(fn)) return name;
  return 'other';
}

/**
 * Self cost per function of a callgrind output file, read directly (`callgrind_annotate` of this
 * valgrind gives workerd's frames their inclusive cost). Each cost line under `fn=` is the
 * function's own, except the line after a `calls=` line: that is the call's inclusive cost, which
 * belongs to the callee. Names are compressed: `fn=(id) name` or `cfn=(id) name` once, `(id)` after.
 * Only the first event (Ir) is read.
 */
export function parseCallgrind(text: string): { fn: string; ir: number }[] {
  const names = new Map<string, string>();
  const self = new Map<string, number>();
  let fn = '???';
  let callCost = false;
  for (const line of text.split('\n')) {
    const named = /^(c?fn)=(?:\((\d+)\))?\s*(.*)$/.exec(line);
    if (named) {
      const [, kind, id, name] = named;
      if (id !== undefined && name) names.set(id, name);
      const resolved = id !== undefined ? (names.get(id) ?? `(${id})`) : name!;
      if (kind === 'fn') fn = resolved;
      continue;
    }
    if (line.startsWith('calls=')) {
      callCost = true;
      continue;
    }
    const c = line.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42) {
      if (callCost) {
        callCost = false;
        continue;
      }
      const ir = Number(line.split(/\s+/)[1]);
      if (Number.isFinite(ir)) self.set(fn, (self.get(fn) ?? 0) + ir);
    }
  }
  return [...self].map(([f, ir]) => ({ fn: f, ir }));
}

/** Instructions per response per group, in the order of GROUPS (then 'other'). */
export function groupProfile(
  fns: readonly { fn: string; ir: number }[],
  responses: number,
): Map<ProfileGroupName, number> {
  const sums = new Map<ProfileGroupName, number>([...GROUPS.map(([g]) => [g, 0] as const), ['other', 0]]);
  for (const f of fns) {
    const g = groupOf(f.fn);
    sums.set(g, sums.get(g)! + f.ir);
  }
  const per = new Map<ProfileGroupName, number>();
  for (const [g, v] of sums) per.set(g, Math.round(v / Math.max(1, responses)));
  return per;
}

/** The endpoint's groups beside the fetch floor's, largest difference first; empty groups left out. */
export function compareProfiles(
  endpoint: Map<ProfileGroupName, number>,
  fetchFloor: Map<ProfileGroupName, number>,
): ProfileGroup[] {
  const names = new Set([...endpoint.keys(), ...fetchFloor.keys()]);
  return [...names]
    .map((group) => ({ group, endpoint: endpoint.get(group) ?? 0, fetchFloor: fetchFloor.get(group) ?? 0 }))
    .filter((g) => g.endpoint || g.fetchFloor)
    .sort((a, b) => b.endpoint - b.fetchFloor - (a.endpoint - a.fetchFloor));
}
