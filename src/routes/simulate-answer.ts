// The answer of POST /simulate, and each scored item of POST /simulate/batch, written as ASCII JSON:
// what lies beyond ASCII (the Korean labels, ≥) goes out as \u escapes, the same strings once
// parsed. It is put together from text prepared once per isolate, so the body is a one-byte
// string: building it costs no JSON.stringify of objects, and the runtime sends it without
// converting UTF-16 to UTF-8 character by character. Under workerd, with 100 persons, those two
// took about 19,000 and 16,000 instructions per person, more than classifying and explaining the
// person (about 10,000); for one /simulate they were also the largest share of what the route
// allocates.
import {
  AGE_GROUP_MAX,
  AGE_GROUP_MIN,
  EXPLANATION_TEXT,
  GENDERS,
  RULE_VERSION,
  ageDisplay,
  genderDisplay,
  type Classification,
  type ExplanationText,
} from '../risk/index.ts';
import type { SimulateBody } from '../contract/schemas.ts';

export const DISCLAIMER = 'This is NOT a diagnostic tool. Consult medical professionals for any health concerns.';

/**
 * The inside of JSON.stringify(s) (no quotes) in ASCII, as a one-byte string: String.fromCharCode
 * of codes below 256 makes one, where String.prototype.replace on a two-byte string would keep
 * the result two-byte, and so every answer built from it.
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

/** Text every answer shares. */
export interface AnswerText {
  age: string[];
  gender: string[];
  ruleVersion: string;
  disclaimer: string;
  /** explain()'s pieces as ASCII JSON, so each line it returns is a JSON string literal. */
  explanations: ExplanationText;
}

function prepare(): AnswerText {
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

let text: AnswerText | undefined;

/** The shared text, prepared on first use. */
export const answerText = (): AnswerText => (text ??= prepare());

/**
 * The members of the answer, in its order, without the braces: `input`, `result`, `disclaimer`
 * (test/unit/simulate-batch.test.ts holds every batch item to /simulate's own answer). `lines` are
 * explain()'s lines made from `t.explanations`.
 */
export function answerMembers(
  t: AnswerText,
  b: SimulateBody,
  r: Classification,
  lines: readonly string[],
  ms: number,
): string {
  const f = r.flags;
  return (
    `"input":{"age_group":${b.age_group},"age_display":${t.age[b.age_group]},"gender":${b.gender},` +
    `"gender_display":${t.gender[b.gender]},"bmi":${r.bmi}},"result":{"risk_factor_count":${r.riskFactorCount},"risk_group":"${r.riskGroup}",` +
    `"flags":{"hypertension":${f.hypertension},"diabetes":${f.diabetes},"high_total_cholesterol":${f.highTc},"high_triglycerides":${f.highTg},` +
    `"low_hdl":${f.lowHdl},"obesity_asia":${f.obesity},"smoking":${f.smoking}},"explanations":[${lines.join(',')}],` +
    `"rule_version":${t.ruleVersion},"inference_time_ms":${ms}},"disclaimer":${t.disclaimer}`
  );
}
