// The /records page index: for every filter combination, the total and the id of every
// ANCHOR_EVERY-th matching record. A page at any depth then reads only the records between two
// anchors (at most 2 × ANCHOR_EVERY matching ones), instead of an OFFSET scan over the table.
// Built by the ETL, read by the store; this file is the shared, pure definition.
import { AGE_GROUP_MAX, AGE_GROUP_MIN, RISK_GROUPS, type RiskGroup } from '../risk/index.ts';
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

/**
 * The values each filter column can take in a valid record (docs/data.md#codes-and-sentinels): a filter that
 * is not set reads as "any of these", so every filter is a set of ranges in the one filter index
 * (dataset_id, invalid_flag, age_group_code, gender_code, risk_group, id), each ordered by id.
 */
export const FILTER_VALUES = {
  ageGroup: Array.from({ length: AGE_GROUP_MAX - AGE_GROUP_MIN + 1 }, (_, i) => AGE_GROUP_MIN + i),
  gender: [1, 2],
  riskGroup: RISK_GROUPS,
} as const;
