// POST /simulate/batch's cost per person, from the instruction counts: one batch response of
// BATCH_PERSONS persons ÷ BATCH_PERSONS, next to one POST /simulate response. Pure.
import type { BatchPerPerson, InstructionsResult } from './types.ts';

/** The bench endpoint of the batch and how many persons each of its requests carries. */
export const BATCH_ENDPOINT_ID = 'simulate-batch-100';
export const BATCH_PERSONS = 100;
/** A person in a batch may cost at most this share of one POST /simulate response. */
export const BATCH_PER_PERSON_TARGET = 0.1;

/** The per-person figure, or null when the batch or /simulate was not counted. */
export function batchPerPerson(ins: InstructionsResult | null | undefined): BatchPerPerson | null {
  const batch = ins?.endpoints.find((e) => e.id === BATCH_ENDPOINT_ID);
  const single = ins?.endpoints.find((e) => e.id === 'simulate');
  if (!batch || !single || single.perResponse <= 0) return null;
  const perPerson = Math.round(batch.perResponse / BATCH_PERSONS);
  const ratio = batch.perResponse / BATCH_PERSONS / single.perResponse;
  return {
    persons: BATCH_PERSONS,
    batchPerResponse: batch.perResponse,
    perPerson,
    simulatePerResponse: single.perResponse,
    ratio,
    target: BATCH_PER_PERSON_TARGET,
    pass: ratio <= BATCH_PER_PERSON_TARGET,
  };
}

/** One line: the figure, the ratio and the verdict. */
export function describeBatchPerPerson(b: BatchPerPerson): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return (
    `${n(b.batchPerResponse)} / ${b.persons} = ${n(b.perPerson)} instructions per person; POST /simulate ${n(b.simulatePerResponse)} per response; ` +
    `ratio ${b.ratio.toFixed(3)} (target ≤ ${b.target})`
  );
}
