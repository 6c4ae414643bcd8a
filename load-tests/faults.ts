// The faults scenario's pure parts: when each fault goes on (a plan scaled to the run's duration),
// which request the dropped client sends, how the API answered in each fault's window, whether
// the burst after the drop was answered, and the values its thresholds read.
import type { LoadSamples } from '../loadkit/http/load.ts';
import { selectSamples } from '../loadkit/http/samples.ts';
import { CACHE_TIERS, latencyFigures } from '../loadkit/http/summary.ts';
import { TRANSIENT_CODES } from '../local/planetscale/faults.ts';
import type { TransientCode } from '../local/planetscale/vitess-errors.ts';
import { filterKey } from '../src/data/page-index.ts';
import { RISK_GROUPS, type RiskGroup } from '../src/risk/index.ts';
import { isRetryable } from './analyze.ts';
import { AFTER_FAULT_MS, burstSummary, is2xx } from './report/fault-figures.ts';
import type { DropReport, EndpointFaultFigures, FaultWindowFigures } from './report/types.ts';

export type FaultStep =
  | { kind: 'vitess'; code: TransientCode; atMs: number; durationMs: number }
  | { kind: 'client-drop'; atMs: number };

/** Below this the windows are too short to hold traffic of their own (2.5 s slots, 1.5 s faults). */
export const FAULTS_MIN_DURATION_S = 15;

/** The dropped client: its load is held this long, it gives up after abortAfterMs, then a burst follows. */
export const DROP = { holdMs: 2000, abortAfterMs: 200, burst: 20 } as const;

/**
 * Six equal slots: a lead-in without faults (the caches warm, a baseline), one per transient
 * Vitess code (the fault over the first 60 % of the slot, recovery in the rest), and the client
 * drop at the start of the last, whose burst has the rest of the run (5 s at the default 30 s)
 * to be answered within DB_TIMEOUT_MS + 1 s.
 */
export function planFaults(durationS: number): FaultStep[] {
  const slotMs = (durationS * 1000) / 6;
  const durationMs = Math.max(100, Math.round((slotMs * 0.6) / 100) * 100);
  return [
    ...TRANSIENT_CODES.map((code, i) => ({
      kind: 'vitess' as const,
      code,
      atMs: Math.round((i + 1) * slotMs),
      durationMs,
    })),
    { kind: 'client-drop' as const, atMs: Math.round(5 * slotMs) },
  ];
}

export interface DropFilter {
  ageGroup: number;
  gender: number;
  riskGroup: RiskGroup;
}

/**
 * The filters the dropped client may use: all three set. The scenario's own traffic never sets
 * risk_group, so none of these keys is warmed by the load itself.
 */
export function dropCandidates(): DropFilter[] {
  const out: DropFilter[] = [];
  for (let ageGroup = 5; ageGroup <= 18; ageGroup++)
    for (const gender of [1, 2]) for (const riskGroup of RISK_GROUPS) out.push({ ageGroup, gender, riskGroup });
  return out;
}

/**
 * The first candidate, from a position that moves with `seed` (a run on a reused stack does not
 * take the key the last run warmed), whose count is in none of the `cachedKeys`
 * (records:count:d<tag>:<filter>). Null when every candidate is cached.
 */
export function pickColdFilter(
  candidates: DropFilter[],
  cachedKeys: readonly string[],
  seed: number,
): DropFilter | null {
  const cached = new Set(cachedKeys.map((k) => k.replace(/^records:count:d[^:]+:/, '')));
  const n = candidates.length;
  const start = ((Math.floor(seed) % n) + n) % n;
  for (let i = 0; i < n; i++) {
    const c = candidates[(start + i) % n]!;
    if (!cached.has(filterKey(c))) return c;
  }
  return null;
}

/** An unusual page of that filter: its total (one cached load per key) is what the gateway holds. */
export const dropPath = (f: DropFilter) =>
  `/records?age_group=${f.ageGroup}&gender=${f.gender}&risk_group=${f.riskGroup}&limit=7&page=2`;

/** The statement of that total's load only (database-js sends its arguments inlined in the SQL). */
export const dropMatch = (f: DropFilter) => `record_counts.*${filterKey(f).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;

export interface FaultEvent {
  kind: FaultStep['kind'];
  /** "UNAVAILABLE", …, "client drop". */
  label: string;
  /** ms since the epoch (the clock the samples' completion times use). */
  fromMs: number;
  toMs: number;
  applied: number | null;
}

const round = (x: number) => Math.round(x * 10) / 10;

function windowRow(
  label: string,
  s: LoadSamples,
  span: { fromS: number | null; toS: number | null },
  applied: number | null,
): FaultWindowFigures {
  let ok = 0;
  let retryable503 = 0;
  let bare503 = 0;
  const other: Record<string, number> = {};
  for (let i = 0; i < s.status.length; i++) {
    const st = s.status[i] as number;
    if (is2xx(st)) ok++;
    else if (st === 503 && isRetryable(s, i)) retryable503++;
    else if (st === 503) bare503++;
    else other[st] = (other[st] ?? 0) + 1;
  }
  const lat = latencyFigures(s.ms);
  return {
    label,
    ...span,
    responses: s.status.length,
    ok,
    retryable503,
    bare503,
    other,
    noResponse: s.errors.length,
    p99: lat.p99,
    max: lat.max,
    applied,
  };
}

/**
 * Responses by the window they completed in: "no fault" (outside every window) first, then one
 * row per event. A window is [fromMs, toMs): from the request that injects the fault to its
 * expiry (the Vitess errors) or to the burst's last answer (the client drop).
 */
export function faultWindows(
  samples: LoadSamples,
  events: readonly FaultEvent[],
  startMs: number,
): FaultWindowFigures[] {
  const within = (at: number, e: FaultEvent) => at >= e.fromMs && at < e.toMs;
  const outside = selectSamples(samples, (at) => !events.some((e) => within(at, e)));
  let afterFault503 = 0;
  for (let i = 0; i < outside.status.length; i++) {
    const at = outside.at[i] as number;
    if (
      isRetryable(outside, i) &&
      events.some((e) => e.kind === 'vitess' && at >= e.toMs && at < e.toMs + AFTER_FAULT_MS)
    )
      afterFault503++;
  }
  return [
    { ...windowRow('no fault', outside, { fromS: null, toS: null }, null), afterFault503 },
    ...events.map((e) =>
      windowRow(
        e.label,
        selectSamples(samples, (at) => within(at, e)),
        { fromS: round((e.fromMs - startMs) / 1000), toS: round((e.toMs - startMs) / 1000) },
        e.applied,
      ),
    ),
  ];
}

/** Per endpoint over the Vitess errors' windows together: 2xx (and which cache tier answered them), 503 with Retry-After, the rest. */
export function endpointsDuring(samples: LoadSamples, events: readonly FaultEvent[]): EndpointFaultFigures[] {
  const s = selectSamples(samples, (at) => events.some((e) => e.kind === 'vitess' && at >= e.fromMs && at < e.toMs));
  const rows = new Map<string, EndpointFaultFigures>();
  const row = (endpoint: string) => {
    let r = rows.get(endpoint);
    if (!r) rows.set(endpoint, (r = { endpoint, responses: 0, ok: 0, retryable503: 0, other: 0, okXCache: {} }));
    return r;
  };
  for (let i = 0; i < s.status.length; i++) {
    const r = row(s.endpoints[s.endpoint[i] as number] ?? '?');
    const st = s.status[i] as number;
    r.responses++;
    if (is2xx(st)) {
      r.ok++;
      const tier = CACHE_TIERS[s.cache[i] as number] || 'none';
      r.okXCache[tier] = (r.okXCache[tier] ?? 0) + 1;
    } else if (isRetryable(s, i)) r.retryable503++;
    else r.other++;
  }
  for (const e of s.errors) {
    const r = row(e.endpoint ?? '?');
    r.responses++;
    r.other++;
  }
  return [...rows.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}

/**
 * The scenario values its thresholds read. faults_applied: the share of planned faults that the
 * gateway applied to at least one statement (a fault that never applied is a check not made).
 */
export function faultValues(
  plannedFaults: number,
  windows: readonly FaultWindowFigures[],
  drop: DropReport | null,
): Record<string, number | string> {
  const applied = windows.filter((w) => w.fromS !== null && (w.applied ?? 0) > 0).length;
  const values: Record<string, number | string> = {
    faults_applied: plannedFaults ? applied / plannedFaults : 'no faults planned',
  };
  if (!drop) {
    values.client_drop_answered = 'the client drop did not run';
    values.client_drop_max_ms = 'the client drop did not run';
  } else {
    const b = burstSummary(drop.burst);
    values.client_drop_answered = b.sent ? b.answered / b.sent : 'no burst sent';
    values.client_drop_max_ms = b.sent ? b.maxMs : 'no burst sent';
  }
  return values;
}
