// The live dataset's cache tag, from the pointer row as the driver returns it: the dataset's id and
// its creation time, so equal ids of two databases' datasets never share cache keys.
import { describe, expect, it } from 'vitest';
import { datasetTag, liveDatasetOf } from '../../src/data/planetscale-store.ts';
import { statsRiskKey } from '../../src/data/cache-keys.ts';

describe('liveDatasetOf', () => {
  it('tags the live dataset with its id and creation time (DATETIME(3) as the driver gives it, UTC)', () => {
    const live = liveDatasetOf({ live_dataset: '7', generation: '12', created_at: '2026-12-03 23:10:00.123' });
    expect(live).toEqual({ id: 7, generation: 12, tag: `7-${Date.UTC(2026, 11, 3, 23, 10, 0, 123).toString(36)}` });
  });

  it('gives the same id made at two times two tags, and so two sets of keys', () => {
    const a = datasetTag(1, '2026-12-03 23:10:00.123');
    const b = datasetTag(1, '2026-12-03 23:10:00.124');
    expect(a).not.toBe(b);
    expect(statsRiskKey(a)).not.toBe(statsRiskKey(b));
  });

  it('serves nothing before the first load, and falls back to the id when the time is missing', () => {
    expect(liveDatasetOf(undefined)).toEqual({ id: null, generation: 0, tag: null });
    expect(liveDatasetOf({ live_dataset: null, generation: 3, created_at: null })).toEqual({
      id: null,
      generation: 3,
      tag: null,
    });
    expect(liveDatasetOf({ live_dataset: 4, generation: 9, created_at: null })).toEqual({
      id: 4,
      generation: 9,
      tag: '4',
    });
  });
});
