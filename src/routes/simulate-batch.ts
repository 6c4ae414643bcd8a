// POST /simulate/batch: a cohort in one request. Each person goes through /simulate's own checks
// (checkPerson) and the same rules engine, so an item holds exactly what /simulate answers for that
// person; a person /simulate would refuse gets its error in its own item and the others are still
// scored. A path of its own rather than a second body shape on /simulate: /simulate's contract
// (one body, one result, 16 KiB) stays as it is, and the batch has its own limits and schema.
//
// The answer is ASCII JSON, each item written by simulate-answer.ts as /simulate's own answer is.
import { Hono } from 'hono';
import { classify, explain } from '../risk/index.ts';
import { ApiError } from '../http/errors.ts';
import type { RouteKit } from '../http/request-context.ts';
import { readJsonBody } from '../http/json-body.ts';
import type { AppEnv } from '../http/hono-env.ts';
import { JSON_TYPE, respond } from '../http/respond.ts';
import { BATCH_MAX_BODY_BYTES, BATCH_MAX_PERSONS } from '../contract/schemas.ts';
import { checkPerson, measurementsOf } from './simulate.ts';
import { answerMembers, answerText } from './simulate-answer.ts';

const SHAPE = `The body must be an object with a persons array of 1 to ${BATCH_MAX_PERSONS} persons`;

/** A 400 for the whole request, in the body /simulate uses for a validation error. */
const refused = (message: string, field: string, detail: string) =>
  new ApiError(400, 'Validation Error', message, { details: { [field]: detail } });

/** The persons of a batch body, or the 400 that refuses the whole request. */
function batchPersons(body: unknown): unknown[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw refused(SHAPE, 'body', 'Must be an object with a persons array');
  const persons = (body as { persons?: unknown }).persons;
  if (persons === undefined) throw refused(SHAPE, 'persons', 'Field is required');
  if (!Array.isArray(persons)) throw refused(SHAPE, 'persons', 'Must be an array');
  if (persons.length === 0)
    throw refused(`persons is empty: send 1 to ${BATCH_MAX_PERSONS} persons`, 'persons', 'Must hold at least 1 person');
  if (persons.length > BATCH_MAX_PERSONS) {
    throw refused(
      `persons holds ${persons.length} persons: at most ${BATCH_MAX_PERSONS} per request`,
      'persons',
      `Must hold at most ${BATCH_MAX_PERSONS} persons`,
    );
  }
  return persons;
}

/** A refused person's item: index, ok, the status and the error body /simulate answers. */
function rejectedItem(index: number, e: ApiError): string {
  return JSON.stringify({
    index,
    ok: false,
    status: e.status,
    error: { error: e.error, message: e.message, ...e.extra },
  });
}

export function simulateBatchRoutes(kit: RouteKit) {
  return new Hono<AppEnv>().post(
    '/simulate/batch',
    kit.keyed(async (c) => {
      const persons = batchPersons(await readJsonBody(c, BATCH_MAX_BODY_BYTES));
      const t = answerText();
      const items: string[] = [];
      let scored = 0;
      // One clock reading per person: its end is where the next one's time starts.
      let clock = performance.now();
      for (let i = 0; i < persons.length; i++) {
        const checked = checkPerson(persons[i]);
        if (checked.ok) {
          const m = measurementsOf(checked.body);
          const r = classify(m);
          const lines = explain(m, r, t.explanations);
          const now = performance.now();
          items.push(`{"index":${i},"ok":true,${answerMembers(t, checked.body, r, lines, Math.round(now - clock))}}`);
          clock = now;
          scored++;
        } else {
          items.push(rejectedItem(i, checked.error));
          clock = performance.now();
        }
      }
      const n = persons.length;
      const body = `{"results":[${items.join(',')}],"summary":{"total":${n},"scored":${scored},"rejected":${n - scored}}}`;
      return respond(c, body, 200, JSON_TYPE);
    }),
  );
}
