// The OpenAPI document (/openapi.json) against the OpenAPI 3.1 schema, against docs/api.md, and against
// the runtime: real responses fit its schemas, and it accepts exactly the bodies /simulate accepts.
// Also the two pages built from the same sources, /docs and /demo (headers, CSP, no secrets).
import { createHash } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, ENDPOINTS } from '../../src/app.ts';
import { openApiDocument, SIMULATE_EXAMPLE } from '../../src/contract/openapi.ts';
import { RANGES, RISK_GROUPS, SMOKING_STATUSES } from '../../src/risk/index.ts';
import { BATCH_MAX_BODY_BYTES, BATCH_MAX_PERSONS, simulateBodySchema } from '../../src/contract/schemas.ts';
import { fakeCache, fakeStore } from '../support/fakes.ts';

type Schema = Record<string, any>;
const KEY = 'secret-test-key-7f3a';
const app = createApp({ apiKeys: [KEY], store: fakeStore(), cache: fakeCache(), log: () => {} });
const withKey = { headers: { 'X-API-KEY': KEY } };
let doc: Schema;

beforeAll(async () => {
  const res = await app.request('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
  doc = (await res.json()) as Schema;
});

const resolve = (ref: string): Schema =>
  ref
    .slice(2)
    .split('/')
    .reduce((node: Schema, part) => node?.[part], doc);

/** Every keyword the mini validator below understands; the test fails if the document uses another. */
const KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'minimum',
  'maximum',
  'pattern',
  'format',
  '$ref',
  'anyOf',
  'description',
  'default',
  'examples',
  'propertyNames',
  'minItems',
  'maxItems',
]);

/** A JSON Schema check for the keywords above (format is an annotation in 2020-12). */
function errors(schema: Schema, v: unknown, at = '$'): string[] {
  if (schema.$ref) return errors(resolve(schema.$ref), v, at);
  if (schema.anyOf)
    return schema.anyOf.some((s: Schema) => errors(s, v, at).length === 0) ? [] : [`${at}: matches no anyOf branch`];
  const t = schema.type;
  const ok =
    t === undefined ||
    (t === 'integer'
      ? Number.isInteger(v)
      : t === 'number'
        ? typeof v === 'number'
        : t === 'object'
          ? typeof v === 'object' && v !== null && !Array.isArray(v)
          : t === 'array'
            ? Array.isArray(v)
            : typeof v === t);
  if (!ok) return [`${at}: not ${t}`];
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(v)) out.push(`${at}: not in enum`);
  if (schema.const !== undefined && v !== schema.const) out.push(`${at}: not const`);
  if (typeof v === 'number' && schema.minimum !== undefined && v < schema.minimum) out.push(`${at}: below minimum`);
  if (typeof v === 'number' && schema.maximum !== undefined && v > schema.maximum) out.push(`${at}: above maximum`);
  if (typeof v === 'string' && schema.pattern && !new RegExp(schema.pattern, 'u').test(v)) out.push(`${at}: pattern`);
  if (Array.isArray(v) && schema.minItems !== undefined && v.length < schema.minItems)
    out.push(`${at}: fewer than minItems`);
  if (Array.isArray(v) && schema.maxItems !== undefined && v.length > schema.maxItems)
    out.push(`${at}: more than maxItems`);
  if (Array.isArray(v) && schema.items) v.forEach((x, i) => out.push(...errors(schema.items, x, `${at}[${i}]`)));
  if (t === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of schema.required ?? []) if (!(k in o)) out.push(`${at}.${k}: required`);
    for (const [k, x] of Object.entries(o)) {
      const sub = schema.properties?.[k] ?? schema.additionalProperties;
      if (sub === false) out.push(`${at}.${k}: not allowed`);
      else if (sub && sub !== true) out.push(...errors(sub, x, `${at}.${k}`));
    }
  }
  return out;
}

function walk(node: unknown, visit: (n: Schema) => void) {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Schema);
    Object.values(node).forEach((n) => walk(n, visit));
  }
}

const op = (method: string, path: string): Schema => doc.paths[path]?.[method];
const okSchema = (method: string, path: string): Schema =>
  op(method, path).responses['200'].content['application/json'].schema;

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document whose references all resolve', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    walk(doc, (n) => {
      if (typeof n.$ref === 'string') expect(resolve(n.$ref), n.$ref).toBeDefined();
    });
    walk(doc.components.schemas, (n) => {
      if (n.type !== undefined || n.$ref) for (const k of Object.keys(n)) expect(KEYWORDS, `keyword ${k}`).toContain(k);
    });
  });

  it('lists every endpoint of the contract and the app, with its schemas and security', () => {
    const all = [...ENDPOINTS, 'GET /', 'GET /demo', 'GET /docs', 'GET /openapi.json'];
    for (const e of all) {
      const [method, path] = e.split(' ') as [string, string];
      expect(op(method.toLowerCase(), path), e).toBeDefined();
    }
    const expected: Record<string, string> = {
      'get /records': 'RecordList',
      'get /records/{id}': 'RecordDetail',
      'get /stats/risk': 'RiskStats',
      'get /stats/age': 'AgeStats',
      'post /simulate': 'SimulateResponse',
      'get /': 'Index',
      'post /simulate/batch': 'SimulateBatchResponse',
    };
    for (const [e, name] of Object.entries(expected)) {
      const [method, path] = e.split(' ') as [string, string];
      expect(okSchema(method, path).$ref).toBe(`#/components/schemas/${name}`);
    }
    expect(okSchema('get', '/health').anyOf).toEqual([
      { $ref: '#/components/schemas/Health' },
      { $ref: '#/components/schemas/DeepHealth' },
    ]);
    expect(op('post', '/simulate').requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/SimulateRequest',
    );
    expect(doc.components.securitySchemes.ApiKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-KEY' });
    for (const path of ['/records', '/records/{id}', '/stats/risk', '/stats/age'])
      expect(op('get', path).security).toEqual([{ ApiKey: [] }]);
    expect(op('post', '/simulate').security).toEqual([{ ApiKey: [] }]);
    expect(op('post', '/simulate/batch').requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/SimulateBatchRequest',
    );
    expect(op('post', '/simulate/batch').security).toEqual([{ ApiKey: [] }]);
    for (const path of ['/', '/demo', '/docs', '/openapi.json']) expect(op('get', path).security).toEqual([]);
    expect(op('get', '/health').security).toContainEqual({});
    expect(op('get', '/health').parameters.map((p: Schema) => p.name)).toEqual(['deep']);
    expect(op('get', '/records/{id}').parameters[0]).toMatchObject({
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'integer', minimum: 1 },
    });
  });

  it('documents each error status of the contract with the error body', () => {
    const used = new Set<string>();
    walk(doc.paths, (n) => {
      if (n.responses) Object.keys(n.responses).forEach((s) => used.add(s));
    });
    for (const status of ['400', '401', '404', '405', '413', '415', '422', '429', '500', '503'])
      expect([...used]).toContain(status);
    for (const r of Object.values<Schema>(doc.components.responses))
      expect(r.content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    const error = doc.components.schemas.Error;
    expect(Object.keys(error.properties)).toEqual(['error', 'message', 'details', 'request_id']);
    expect(error.required).toEqual(['error', 'message']);
    expect(Object.keys(doc.components.responses.TooManyRequests.headers)).toEqual(
      expect.arrayContaining(['Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset']),
    );
    expect(op('post', '/simulate').responses['415']).toBeDefined();
    expect(op('post', '/simulate').responses['422']).toBeDefined();
  });

  it('the simulate request schema states the runtime rules: all fields required, RANGES, smoking values', () => {
    const req = doc.components.schemas.SimulateRequest;
    expect([...req.required].sort()).toEqual([...Object.keys(RANGES), 'smoking_status'].sort());
    for (const [field, [lo, hi]] of Object.entries(RANGES)) {
      expect(req.properties[field], field).toMatchObject({ type: 'integer', minimum: lo, maximum: hi });
    }
    expect(req.properties.smoking_status.enum).toEqual([...SMOKING_STATUSES]);
  });

  it('the simulate request schema accepts exactly what the runtime validation accepts', () => {
    const req = doc.components.schemas.SimulateRequest;
    // A valid body with at most one field changed (a boundary, a wrong type, or missing), so a
    // wrong bound or type in the document shows up as a disagreement.
    const ranges = Object.entries(RANGES) as [string, readonly [number, number]][];
    const valid = fc.record({
      ...Object.fromEntries(ranges.map(([k, [lo, hi]]) => [k, fc.integer({ min: lo, max: hi })])),
      smoking_status: fc.constantFrom(...SMOKING_STATUSES),
    });
    const odd = (k: string): fc.Arbitrary<unknown> => {
      const r = (RANGES as Record<string, readonly [number, number]>)[k];
      const wrong = fc.constantFrom<unknown>(undefined, null, '12', true, [], 1.5, 'NEVER', 3);
      return r
        ? fc.oneof(fc.constantFrom(r[0] - 1, r[0], r[1], r[1] + 1, r[0] + 0.5), fc.integer(), wrong)
        : fc.oneof(fc.string(), wrong);
    };
    const change = fc
      .constantFrom(...ranges.map(([k]) => k), 'smoking_status')
      .chain((k) => fc.tuple(fc.constant(k), odd(k)));
    const bodies = fc.tuple(valid, fc.option(change, { freq: 3 })).map(([b, c]) => {
      const body: Record<string, unknown> = { ...b };
      if (c) body[c[0]] = c[1];
      if (c && c[1] === undefined) delete body[c[0]];
      return body;
    });
    let accepted = 0;
    fc.assert(
      fc.property(bodies, (body) => {
        const valid = simulateBodySchema.safeParse(body).success;
        accepted += Number(valid);
        expect(errors(req, body).length === 0).toBe(valid);
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(600); // both sides of the boundary are exercised
  });

  it('POST /simulate answers 400 exactly for the bodies the schema rejects', async () => {
    const base = { ...SIMULATE_EXAMPLE };
    const req = doc.components.schemas.SimulateRequest;
    for (const [field, [lo, hi]] of Object.entries(RANGES)) {
      for (const v of [lo - 1, lo, hi, hi + 1, lo + 0.5]) {
        const body = { ...base, [field]: v, ...(field === 'diastolic_bp' ? { systolic_bp: 250 } : {}) };
        const res = await app.request('/simulate', {
          method: 'POST',
          headers: { ...withKey.headers, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.status === 400, `${field}=${v}`).toBe(errors(req, body).length > 0);
      }
    }
  });

  it('the batch request schema: 1 to BATCH_MAX_PERSONS SimulateRequest bodies, as the runtime takes them', async () => {
    const req = doc.components.schemas.SimulateBatchRequest;
    expect(req.required).toEqual(['persons']);
    expect(req.properties.persons).toMatchObject({
      type: 'array',
      minItems: 1,
      maxItems: BATCH_MAX_PERSONS,
      items: { $ref: '#/components/schemas/SimulateRequest' },
    });
    const person = { ...SIMULATE_EXAMPLE };
    const post = (body: unknown) =>
      app.request('/simulate/batch', {
        method: 'POST',
        headers: { ...withKey.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const body of [
      { persons: [] },
      { persons: [person] },
      { persons: Array(BATCH_MAX_PERSONS).fill(person) },
      { persons: Array(BATCH_MAX_PERSONS + 1).fill(person) },
      {},
      { persons: person },
      [person],
    ]) {
      const res = await post(body);
      expect(res.status === 200, JSON.stringify(body).slice(0, 60)).toBe(errors(req, body).length === 0);
      await res.arrayBuffer();
    }
    // The documented example is answered in order: scored, refused (400), scored.
    const example = op('post', '/simulate/batch').requestBody.content['application/json'].example;
    expect(errors(req, { persons: [example.persons[0]] })).toEqual([]);
    const answer = (await (await post(example)).json()) as Schema;
    expect(answer.results.map((r: Schema) => r.ok)).toEqual([true, false, true]);
    expect(errors(okSchema('post', '/simulate/batch'), answer)).toEqual([]);
    expect(op('post', '/simulate/batch').responses['413'].description).toContain(String(BATCH_MAX_BODY_BYTES));
    expect(op('post', '/simulate/batch').description).toMatch(/path of its own/);
  });

  it('GET /records query parameters match the runtime ranges', async () => {
    const params = Object.fromEntries(op('get', '/records').parameters.map((p: Schema) => [p.name, p.schema]));
    expect(params.page).toMatchObject({ type: 'integer', minimum: 1, default: 1 });
    expect(params.limit).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    expect(params.age_group).toMatchObject({
      type: 'integer',
      minimum: RANGES.age_group[0],
      maximum: RANGES.age_group[1],
    });
    expect(params.gender).toMatchObject({ type: 'integer', minimum: 1, maximum: 2 });
    expect(params.risk_group.enum).toEqual([...RISK_GROUPS]);
    for (const name of ['limit', 'age_group', 'gender']) {
      for (const v of [0, 1, 2, 4, 5, 18, 19, 100, 101]) {
        const res = await app.request(`/records?${name}=${v}`, withKey);
        expect(res.status === 200, `${name}=${v}`).toBe(errors(params[name], v).length === 0);
      }
    }
  });

  it('real responses fit their documented schemas', async () => {
    const list = (await (await app.request('/records?limit=3', withKey)).json()) as { data: { id: number }[] };
    const post = { method: 'POST', headers: { ...withKey.headers, 'Content-Type': 'application/json' } };
    const cases: [string, string, RequestInit | undefined, Schema][] = [
      ['/', 'get', undefined, okSchema('get', '/')],
      ['/health', 'get', undefined, okSchema('get', '/health')],
      ['/health?deep=1', 'get', withKey, okSchema('get', '/health')],
      ['/records?limit=3', 'get', withKey, okSchema('get', '/records')],
      [`/records/${list.data[0]!.id}`, 'get', withKey, okSchema('get', '/records/{id}')],
      ['/stats/risk', 'get', withKey, okSchema('get', '/stats/risk')],
      ['/stats/age', 'get', withKey, okSchema('get', '/stats/age')],
      [
        '/simulate',
        'post',
        {
          ...post,
          body: JSON.stringify({
            age_group: 5,
            gender: 2,
            height: 160,
            weight: 50,
            systolic_bp: 110,
            diastolic_bp: 70,
            fasting_glucose: 90,
            total_cholesterol: 180,
            triglycerides: 90,
            hdl_cholesterol: 60,
            smoking_status: 'never',
          }),
        },
        okSchema('post', '/simulate'),
      ],
      ['/records', 'get', undefined, doc.components.schemas.Error],
      ['/records/99999', 'get', withKey, doc.components.schemas.Error],
      ['/simulate', 'post', { ...post, body: '{"age_group":1}' }, doc.components.schemas.Error],
      // Every kind of item: scored, refused by validation (400), refused as invalid data (422).
      [
        '/simulate/batch',
        'post',
        {
          ...post,
          body: JSON.stringify({
            persons: [
              {
                age_group: 18,
                gender: 1,
                height: 180,
                weight: 95,
                systolic_bp: 160,
                diastolic_bp: 100,
                fasting_glucose: 140,
                total_cholesterol: 260,
                triglycerides: 250,
                hdl_cholesterol: 35,
                smoking_status: 'current',
              },
              { age_group: 1 },
              'not a person',
              {
                age_group: 5,
                gender: 2,
                height: 160,
                weight: 50,
                systolic_bp: 110,
                diastolic_bp: 110,
                fasting_glucose: 90,
                total_cholesterol: 180,
                triglycerides: 90,
                hdl_cholesterol: 60,
                smoking_status: 'never',
              },
            ],
          }),
        },
        okSchema('post', '/simulate/batch'),
      ],
      ['/simulate/batch', 'post', { ...post, body: '{"persons":[]}' }, doc.components.schemas.Error],
    ];
    for (const [path, , init, schema] of cases) {
      const body = await (await app.request(path, init)).json();
      expect(errors(schema, body), path).toEqual([]);
    }
  });

  it('is built once per isolate', async () => {
    expect(openApiDocument()).toBe(openApiDocument());
    expect(await (await app.request('/openapi.json')).text()).toBe(JSON.stringify(openApiDocument()));
  });
});

/** The CSP hash of the one inline element `tag` in `html`, and the element's text. */
function inline(html: string, tag: 'script' | 'style') {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html);
  return m ? `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'` : undefined;
}

describe('pages', () => {
  for (const path of ['/demo', '/docs']) {
    it(`${path}: public HTML with a strict hash-based CSP and no secret`, async () => {
      const res = await app.request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(csp).toContain(`style-src ${inline(html, 'style')}`);
      const script = inline(html, 'script');
      if (script) expect(csp).toContain(`script-src ${script}`);
      if (script) expect(csp).toContain("connect-src 'self'");
      expect(html.match(/<script/g)?.length ?? 0).toBeLessThanOrEqual(1);
      expect(html).not.toContain(KEY);
      // Nothing loads from elsewhere: the only absolute URL is the SVG namespace name.
      expect(html.match(/https?:\/\/[^\s"'<)]+/g)?.filter((u) => u !== 'http://www.w3.org/2000/svg') ?? []).toEqual([]);
      expect(html).not.toMatch(/ style=/);
      expect((await app.request(path, { method: 'POST' })).status).toBe(405);
    });
  }

  it('/demo has the 11 simulate fields with official age labels, and the records filters', async () => {
    const html = await (await app.request('/demo')).text();
    for (const f of [...Object.keys(RANGES), 'smoking_status']) expect(html).toContain(`name="${f}" id="s-${f}"`);
    expect(html).toContain('<option value="12" selected>55-59세</option>');
    expect(html).toContain('<option value="18">85세 이상</option>');
    expect(html).toContain('<option value="1" selected>남성</option>');
    for (const f of ['age_group', 'gender', 'risk_group']) expect(html).toContain(`<select name="${f}">`);
  });

  it('/docs renders every operation, parameter and schema of the document', async () => {
    const html = await (await app.request('/docs')).text();
    walk(doc.paths, (n) => {
      if (n.operationId) expect(html).toContain(`id="op-${n.operationId}"`);
    });
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`id="schema-${name}"`);
    for (const p of ['page', 'limit', 'age_group', 'gender', 'risk_group', 'deep'])
      expect(html).toContain(`<code>${p}</code>`);
    expect(html).toContain('-H &#34;X-API-KEY: $API_KEY&#34;');
  });
});
