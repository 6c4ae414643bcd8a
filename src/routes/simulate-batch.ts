// POST /simulate/batch: a cohort in one request. Each person goes through /simulate's own checks
// (checkPerson) and the same rules engine, so an item holds exactly what /simulate answers for that
// person; a person /simulate would refuse gets its error in its own item and the others are still
// scored. A path of its own rather than a second body shape on /simulate: /simulate's contract
// (one body, one result, 16 KiB) stays as it is, and the batch has its own limits and schema.
//
// The answer is written as ASCII JSON: what lies beyond ASCII (the Korean labels, ≥) goes out as
// \u escapes, the same strings once parsed. Each item is put together from text prepared once per
// isolate, so the whole body is a one-byte string: building it costs no JSON.stringify of objects,
// and the runtime sends it without converting UTF-16 to UTF-8 character by character. Under
// workerd, with 100 persons, those two took about 19,000 and 16,000 instructions per person,
// more than classifying and explaining the person (about 10,000).
import { Hono } from 'hono';
import {
  AGE_GROUP_MAX,
  AGE_GROUP_MIN,
  EXPLANATION_TEXT,
  GENDERS,
  RULE_VERSION,
  ageDisplay,
  classify,
  explain,
  genderDisplay,
  type Classification,
  type ExplanationText,
} from '../risk/index.ts';
import { ApiError, onlyAllows } from '../http/errors.ts';
import { readJsonBody } from '../http/json-body.ts';
import type { AppEnv } from '../http/hono-env.ts';
import { JSON_TYPE, respond } from '../http/respond.ts';
import { BATCH_MAX_BODY_BYTES, BATCH_MAX_PERSONS, type SimulateBody } from '../contract/schemas.ts';
import { DISCLAIMER, checkPerson, measurementsOf } from './simulate.ts';

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

/**
 * The inside of JSON.stringify(s) (no quotes) in ASCII, as a one-byte string: String.fromCharCode
 * of codes below 256 makes one, where String.prototype.replace on a two-byte string would keep
 * the result two-byte, and so every item built from it.
 */
function asciiJsonChars(s: string): string {
  const json = JSON.stringify(s);
  const codes: number[] = [];
  for (let i = 1; i < json.length - 1; i++) {
    const c = json.charCodeAt(i);
    if (c < 0x80) codes.push(c);
    else for (const ch of `\\u${c.toString(16).padStart(4, '0')}`) codes.push(ch.charCodeAt(0));
  }
  return String.fromCharCode(...codes);
}

const asciiJson = (s: string) => `"${asciiJsonChars(s)}"`;

/** Text every scored item shares, prepared on the first batch. */
interface ItemText {
  age: string[];
  gender: string[];
  ruleVersion: string;
  disclaimer: string;
  /** explain()'s pieces as ASCII JSON, so each line it returns is a JSON string literal. */
  explanations: ExplanationText;
}

function itemText(): ItemText {
  const age: string[] = [];
  for (let code = AGE_GROUP_MIN; code <= AGE_GROUP_MAX; code++) age[code] = asciiJson(ageDisplay(code));
  const gender: string[] = [];
  for (const g of GENDERS) gender[g] = asciiJson(genderDisplay(g));
  const pieces = <T extends readonly string[]>(p: T): T =>
    p.map((x, i) => `${i === 0 ? '"' : ''}${asciiJsonChars(x)}${i === p.length - 1 ? '"' : ''}`) as unknown as T;
  const t = EXPLANATION_TEXT;
  return {
    age,
    gender,
    ruleVersion: asciiJson(RULE_VERSION),
    disclaimer: asciiJson(DISCLAIMER),
    explanations: {
      hypertension: pieces(t.hypertension),
      diabetes: pieces(t.diabetes),
      highTc: pieces(t.highTc),
      highTg: pieces(t.highTg),
      lowHdl: pieces(t.lowHdl),
      obesity: pieces(t.obesity),
      smoking: pieces(t.smoking),
    },
  };
}

let text: ItemText | undefined;

/**
 * A scored person's item: index and ok, then the members of /simulate's answer in its order
 * (test/unit/simulate-batch.test.ts holds every item to /simulate's own answer).
 */
function scoredItem(
  t: ItemText,
  index: number,
  b: SimulateBody,
  r: Classification,
  lines: string[],
  ms: number,
): string {
  const f = r.flags;
  return (
    `{"index":${index},"ok":true,"input":{"age_group":${b.age_group},"age_display":${t.age[b.age_group]},"gender":${b.gender},` +
    `"gender_display":${t.gender[b.gender]},"bmi":${r.bmi}},"result":{"risk_factor_count":${r.riskFactorCount},"risk_group":"${r.riskGroup}",` +
    `"flags":{"hypertension":${f.hypertension},"diabetes":${f.diabetes},"high_total_cholesterol":${f.highTc},"high_triglycerides":${f.highTg},` +
    `"low_hdl":${f.lowHdl},"obesity_asia":${f.obesity},"smoking":${f.smoking}},"explanations":[${lines.join(',')}],` +
    `"rule_version":${t.ruleVersion},"inference_time_ms":${ms}},"disclaimer":${t.disclaimer}}`
  );
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

export function simulateBatchRoutes(auth: ReturnType<typeof import('../http/auth.ts').apiKeyAuth>) {
  return new Hono<AppEnv>()
    .post('/simulate/batch', auth, async (c) => {
      const persons = batchPersons(await readJsonBody(c, BATCH_MAX_BODY_BYTES));
      const t = (text ??= itemText());
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
          items.push(scoredItem(t, i, checked.body, r, lines, Math.round(now - clock)));
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
    })
    .all('/simulate/batch', onlyAllows('POST'));
}
