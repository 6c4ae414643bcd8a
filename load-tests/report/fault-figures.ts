// How the faults section reads a run, shared by the report and the scenario's values: when a 503
// still counts as a fault's, and which responses of the burst after the client drop were answered.
// Pure.
import type { BurstResponse } from './types.ts';

/** How long after a window's end a 503 still counts as that fault's (see afterFault503). */
export const AFTER_FAULT_MS = 1000;

export const is2xx = (s: number) => s >= 200 && s <= 299;

/** 2xx, or a 503 with Retry-After: an answer the client can use or act on. */
export const answered = (r: BurstResponse) =>
  r.status !== null && (is2xx(r.status) || (r.status === 503 && r.retryAfter));

export function burstSummary(burst: readonly BurstResponse[]): {
  sent: number;
  answered: number;
  statuses: Record<string, number>;
  maxMs: number;
} {
  const statuses: Record<string, number> = {};
  for (const r of burst) {
    const key = r.status === null ? 'no response' : String(r.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  return {
    sent: burst.length,
    answered: burst.filter(answered).length,
    statuses,
    maxMs: Math.max(0, ...burst.map((r) => r.ms)),
  };
}
