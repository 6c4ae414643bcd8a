// The /records page index: for every filter combination, the total and the id of every
// ANCHOR_EVERY-th matching record. A page at any depth then costs one indexed seek from the
// nearest anchor plus at most ANCHOR_EVERY skipped index entries, instead of an OFFSET scan over
// the table. Built by the ETL, read by the store; this file is the shared, pure definition.
import type { RiskGroup } from '../risk/index.ts';
import type { RecordFilter } from './store.ts';

/** Distance between anchors, in matching records (≥ the largest page size, 100). */
export const ANCHOR_EVERY = 100;

/** `a12:g1:rCHD_RISK_EQUIVALENT`, with `*` for a filter that is not set. */
export function filterKey(f: RecordFilter): string {
  return `a${f.ageGroup ?? '*'}:g${f.gender ?? '*'}:r${f.riskGroup ?? '*'}`;
}

/** The 8 filter keys one valid record belongs to (each filter set or not). */
export function keysOf(ageGroup: number, gender: number, riskGroup: RiskGroup): string[] {
  const keys: string[] = [];
  for (let mask = 0; mask < 8; mask++) {
    keys.push(
      filterKey({
        ageGroup: mask & 1 ? ageGroup : undefined,
        gender: mask & 2 ? gender : undefined,
        riskGroup: mask & 4 ? riskGroup : undefined,
      }),
    );
  }
  return keys;
}

/** Builds totals and anchors from valid records streamed in id order. */
export class PageIndexBuilder {
  readonly totals = new Map<string, number>();
  readonly anchors: [key: string, anchor: number, id: number][] = [];

  add(id: number, ageGroup: number, gender: number, riskGroup: RiskGroup): void {
    for (const key of keysOf(ageGroup, gender, riskGroup)) {
      const n = this.totals.get(key) ?? 0;
      if (n % ANCHOR_EVERY === 0) this.anchors.push([key, n / ANCHOR_EVERY, id]);
      this.totals.set(key, n + 1);
    }
  }
}

/** The secondary index that serves a filter best, by the shares seen in NHIS data (docs/data.md#distributions). */
export function indexFor(f: RecordFilter): string {
  // Approximate share of valid records matching each filter alone.
  const share = (k: 'age' | 'gender' | 'risk') =>
    k === 'age'
      ? f.ageGroup === undefined
        ? 1
        : 0.08
      : k === 'gender'
        ? f.gender === undefined
          ? 1
          : 0.5
        : f.riskGroup === undefined
          ? 1
          : f.riskGroup === 'CHD_RISK_EQUIVALENT'
            ? 0.09
            : f.riskGroup === 'MULTIPLE_RISK_FACTORS'
              ? 0.27
              : 0.64;
  const best = (['age', 'risk', 'gender'] as const).reduce((a, b) => (share(b) < share(a) ? b : a));
  if (share(best) === 1) return 'idx_valid_id';
  return { age: 'idx_valid_age', gender: 'idx_valid_gender', risk: 'idx_valid_risk' }[best];
}
