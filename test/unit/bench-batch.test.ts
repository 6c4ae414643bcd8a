// The bench's batch figure: POST /simulate/batch's instructions per person against one POST
// /simulate response, in the plan, the report JSON's verdicts and the markdown.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchBodies, endpointPlan } from '../../bench/http/endpoints.ts';
import { responsesOf } from '../../bench/http/instructions.ts';
import { BATCH_ENDPOINT_ID, BATCH_PERSONS, batchPerPerson } from '../../bench/report/batch.ts';
import { render } from '../../bench/report/render.ts';
import type { InstructionFigures, PerformanceResult } from '../../bench/report/types.ts';
import { verdicts } from '../../bench/report/verdicts.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'bench', 'report', 'fixtures');
const fixture = () => JSON.parse(readFileSync(join(FIXTURES, 'performance.json'), 'utf8')) as PerformanceResult;

/** The fixture's run with a batch counted at `perResponse` instructions. */
function withBatch(perResponse: number): PerformanceResult {
  const result = fixture();
  const batch: InstructionFigures = {
    id: BATCH_ENDPOINT_ID,
    label: `POST /simulate/batch (${BATCH_PERSONS} persons)`,
    perResponse,
    windows: [perResponse, perResponse + 1000, perResponse - 1000],
    ratioToCeiling: 0.05,
    warmup: 300,
    perWindow: 100,
  };
  result.instructions!.endpoints.push(batch);
  return result;
}

describe('bench plan: POST /simulate/batch', () => {
  const bodies = ['{"a":1}', '{"a":2}', '{"a":3}', '{"a":4}', '{"a":5}', '{"a":6}', '{"a":7}', '{"a":8}'];

  it(`sends batches of ${BATCH_PERSONS} of the /simulate bodies, starting at different ones`, () => {
    const batches = batchBodies(bodies, BATCH_PERSONS);
    expect(batches).toHaveLength(4);
    for (const [b, text] of batches.entries()) {
      const persons = (JSON.parse(text) as { persons: { a: number }[] }).persons;
      expect(persons).toHaveLength(BATCH_PERSONS);
      expect(persons[0]!.a).toBe(1 + b * 2);
    }
    const plan = endpointPlan({ apiKey: 'k', simulateBodies: bodies, lastPage: 1, recordIds: [1] });
    const batch = plan.find((p) => p.id === BATCH_ENDPOINT_ID)!;
    expect(batch.label).toBe('POST /simulate/batch (100 persons)');
    expect(batch.instance).toBe('api');
    expect(
      batch.requests.every(
        (r) => r.method === 'POST' && r.path === '/simulate/batch' && r.headers?.['x-api-key'] === 'k',
      ),
    ).toBe(true);
    // Under callgrind a batch response is counted over fewer responses, never fewer persons than /simulate's.
    const s = { warmup: 3000, perWindow: 1000 };
    const { warmup, perWindow } = responsesOf(batch, s);
    expect(warmup * BATCH_PERSONS).toBeGreaterThanOrEqual(s.warmup);
    expect(perWindow * BATCH_PERSONS).toBeGreaterThanOrEqual(s.perWindow);
    expect(responsesOf(plan.find((p) => p.id === 'simulate')!, s)).toEqual(s);
  });
});

describe('report: instructions per person', () => {
  it('divides a batch response by its persons and sets it against one /simulate response', () => {
    const simulate = fixture().instructions!.endpoints.find((e) => e.id === 'simulate')!.perResponse;
    const b = batchPerPerson(withBatch(2_300_000).instructions)!;
    expect(b).toEqual({
      persons: 100,
      batchPerResponse: 2_300_000,
      perPerson: 23_000,
      simulatePerResponse: simulate,
      ratio: 23_000 / simulate,
      target: 0.1,
      pass: true,
    });
    expect(batchPerPerson(withBatch(simulate * 10 + 100).instructions)!.pass).toBe(false);
    expect(batchPerPerson(fixture().instructions)).toBeNull();
    expect(batchPerPerson(null)).toBeNull();
  });

  it('judges it among the acceptance lines, only when it was counted', () => {
    const line = (r: PerformanceResult) => verdicts(r).find((v) => v.criterion.startsWith('POST /simulate/batch'));
    expect(line(fixture())).toBeUndefined();
    const simulate = fixture().instructions!.endpoints.find((e) => e.id === 'simulate')!.perResponse;
    expect(line(withBatch(2_300_000))).toEqual({
      criterion: 'POST /simulate/batch instructions per person ≤ 0.1 × one POST /simulate response',
      measured: `23,000 ÷ ${simulate.toLocaleString('en-US')} = ${(23_000 / simulate).toFixed(3)}`,
      pass: true,
    });
  });

  it('writes the figure, the ratio and the verdict into the markdown', () => {
    const md = render(withBatch(2_300_000));
    expect(md).toContain('**Batch scoring, per person.**');
    expect(md).toContain('| `POST /simulate/batch` (100 persons), per response | 2,300,000 |');
    expect(md).toContain('| per person (÷ 100) | 23,000 |');
    expect(md).toMatch(/\| per person ÷ one `\/simulate` response \| 0\.\d{3} \(target ≤ 0\.1\): ✅ pass \|/);
    expect(md).toContain('The batch ran 300 responses of warm-up and windows of 100 responses (10,000 persons each).');
    expect(render(withBatch(50_000_000))).toContain('❌ fail');
    expect(render(fixture())).not.toContain('Batch scoring');
  });
});
