// The page index fed from the workers' valid rows: chunks may finish in any order, the index is
// built in id order and equals one built from the rows directly.
import { describe, expect, it } from 'vitest';
import { packFilters, unpackFilters } from '../../etl/transform/chunk.ts';
import { PageIndexFeed } from '../../etl/transform/page-feed.ts';
import { PageIndexBuilder } from '../../src/data/page-index.ts';
import { RISK_GROUPS } from '../../src/risk/index.ts';

describe('PageIndexFeed', () => {
  it('packs and unpacks the filters of a row', () => {
    expect(unpackFilters(packFilters(18, 2, 2))).toEqual({ ageGroup: 18, gender: 2, group: 2 });
    expect(unpackFilters(packFilters(5, 1, 0))).toEqual({ ageGroup: 5, gender: 1, group: 0 });
  });

  it('builds the same index whatever order the chunks finish in', () => {
    // Three chunks of N rows; every third row valid, with varied filters (N valid rows in all, and
    // more anchors than the index first makes room for).
    const N = 60_000;
    const chunks = [0, 1, 2].map((c) => {
      const pairs: number[] = [];
      for (let row = 1; row <= N; row++)
        if (row % 3 === 0) pairs.push(row, packFilters(5 + ((row + c) % 14), 1 + (row % 2), (row + c) % 3));
      return Uint32Array.from(pairs);
    });
    const direct = new PageIndexBuilder();
    chunks.forEach((rows, c) => {
      for (let i = 0; i < rows.length; i += 2) {
        const f = unpackFilters(rows[i + 1] as number);
        direct.add(
          c * N + (rows[i] as number),
          f.ageGroup,
          f.gender,
          RISK_GROUPS[f.group] as (typeof RISK_GROUPS)[number],
        );
      }
    });
    const feed = new PageIndexFeed();
    feed.add(2, 2 * N, chunks[2] as Uint32Array);
    feed.add(0, 0, chunks[0] as Uint32Array);
    expect(feed.complete(3)).toBe(false);
    feed.add(1, N, chunks[1] as Uint32Array);
    expect(feed.complete(3)).toBe(true);
    expect(direct.anchors.length).toBeGreaterThan(4096);
    expect([...feed.builder.anchors]).toEqual(direct.anchors);
    expect([...feed.builder.totals]).toEqual([...direct.totals]);
    expect(feed.builder.totals.get('a*:g*:r*')).toBe(N);
  });
});
