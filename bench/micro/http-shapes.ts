// Request and response work of the Worker outside I/O: zod validation of a /simulate body, and
// JSON serialisation of a /simulate response and of a /records page (20 records).
import { classify, explain, RULE_VERSION } from '../../src/risk/index.ts';
import { simulateBodySchema } from '../../src/contract/schemas.ts';
import { simulateBodies, validRows } from '../../loadkit/inputs.ts';
import type { MicroTask } from './task.ts';

export function httpShapeTasks(): MicroTask[] {
  const bodies = simulateBodies(256);
  const invalid = { ...bodies[0], systolic_bp: 300, height: 'tall', smoking_status: undefined };
  const rows = validRows(20);
  const m = rows[0]!.measurements;
  const c = classify(m);
  const simulateResponse = {
    input: { age_group: 12, age_display: '55-59세', gender: 1, gender_display: '남성', bmi: c.bmi },
    result: {
      risk_factor_count: c.riskFactorCount,
      risk_group: c.riskGroup,
      flags: {
        hypertension: c.flags.hypertension,
        diabetes: c.flags.diabetes,
        high_total_cholesterol: c.flags.highTc,
        high_triglycerides: c.flags.highTg,
        low_hdl: c.flags.lowHdl,
        obesity_asia: c.flags.obesity,
        smoking: c.flags.smoking,
      },
      explanations: explain(m, c),
      rule_version: RULE_VERSION,
      inference_time_ms: 0,
    },
    disclaimer: 'This is NOT a diagnostic tool. Consult medical professionals for any health concerns.',
  };
  const recordsPage = {
    data: rows.map((r, k) => {
      const cl = classify(r.measurements);
      return {
        id: 1000 + k,
        age_group: r.ageGroup,
        gender: r.gender,
        bmi: cl.bmi,
        risk_factor_count: cl.riskFactorCount,
        risk_group: cl.riskGroup,
        flags: {
          hypertension: cl.flags.hypertension,
          diabetes: cl.flags.diabetes,
          high_tc: cl.flags.highTc,
          high_tg: cl.flags.highTg,
          low_hdl: cl.flags.lowHdl,
          obesity: cl.flags.obesity,
          smoking: cl.flags.smoking,
        },
        created_at: '2026-02-17T10:30:00Z',
      };
    }),
    pagination: { page: 1, limit: 20, total_items: 340686, total_pages: 17035 },
  };
  let i = 0;
  return [
    {
      id: 'validation.simulate',
      label: 'zod `simulateBodySchema`, valid body',
      group: 'validation',
      fn: () => simulateBodySchema.safeParse(bodies[i++ % bodies.length]),
      unitsPerCall: 1,
      unit: 'bodies',
    },
    {
      id: 'validation.simulate-invalid',
      label: 'zod `simulateBodySchema`, body with 3 failing fields',
      group: 'validation',
      fn: () => simulateBodySchema.safeParse(invalid),
      unitsPerCall: 1,
      unit: 'bodies',
    },
    {
      id: 'serialisation.simulate',
      label: '`JSON.stringify` of a /simulate response',
      group: 'serialisation',
      fn: () => JSON.stringify(simulateResponse),
      unitsPerCall: 1,
      unit: 'responses',
    },
    {
      id: 'serialisation.records-page',
      label: '`JSON.stringify` of a /records page (20 records)',
      group: 'serialisation',
      fn: () => JSON.stringify(recordsPage),
      unitsPerCall: 1,
      unit: 'responses',
    },
  ];
}
