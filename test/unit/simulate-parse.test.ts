// parseSimulateBody, the check /simulate and /simulate/batch share: its fast path takes only bodies
// the schema accepts unchanged, and everything else gets the schema's own verdict and messages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RANGES, SMOKING_STATUSES } from '../../src/risk/index.ts';
import { parseSimulateBody, simulateBodySchema } from '../../src/contract/schemas.ts';

const ranges = Object.entries(RANGES) as [string, readonly [number, number]][];

/** Bodies on both sides of every boundary, wrong types, missing and extra keys, and any JSON. */
const value = ([lo, hi]: readonly [number, number]) =>
  fc.oneof(
    { weight: 40, arbitrary: fc.integer({ min: lo, max: hi }) },
    { weight: 3, arbitrary: fc.constantFrom(lo - 1, lo, hi, hi + 1) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(lo + 0.5, -0, NaN, Infinity, `${lo}`, null, true, [lo], { v: lo }),
    },
    { weight: 1, arbitrary: fc.jsonValue() },
  );
const fields: Record<string, fc.Arbitrary<unknown>> = {
  ...Object.fromEntries(ranges.map(([k, r]) => [k, value(r)])),
  smoking_status: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...SMOKING_STATUSES) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>('NEVER', '', 3) },
  ),
  extra: fc.jsonValue(),
};
const body = fc.oneof(
  { weight: 12, arbitrary: fc.record(fields, { requiredKeys: [...ranges.map(([k]) => k), 'smoking_status'] }) },
  { weight: 1, arbitrary: fc.record(Object.fromEntries(ranges.map(([k, r]) => [k, value(r)])), { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.jsonValue() },
);

describe('parseSimulateBody', () => {
  it('gives the schema verdict, data and messages for any body', () => {
    let fast = 0;
    let refused = 0;
    fc.assert(
      fc.property(body, (input) => {
        const mine = parseSimulateBody(input);
        const zod = simulateBodySchema.safeParse(input);
        expect(mine.success).toBe(zod.success);
        if (mine.success && zod.success) {
          // The fast path hands back the body itself: every field the schema keeps has its value.
          for (const k of Object.keys(zod.data))
            expect((mine.data as Record<string, unknown>)[k]).toBe((zod.data as Record<string, unknown>)[k]);
          fast += Number(mine.data === input);
        } else if (!mine.success && !zod.success) {
          expect(mine.error.issues).toEqual(zod.error.issues);
          refused++;
        }
      }),
      { numRuns: 20_000 },
    );
    // Both sides are exercised, the valid one through the fast path.
    expect(fast).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(1000);
  });
});
