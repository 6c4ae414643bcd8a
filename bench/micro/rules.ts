// Rules engine micro-benchmarks: `classify` and `checkRow` per record, and both over a batch of
// 10,000 source rows (what the ETL does per row, what /simulate does per request).
import { checkRow, classify } from '../../src/risk/index.ts';
import { sourceRows, validRows } from '../../loadkit/inputs.ts';
import type { MicroTask } from './task.ts';

export const BATCH_ROWS = 10_000;

export function rulesTasks(): MicroTask[] {
  const valid = validRows(1_000).map((r) => r.measurements);
  const rows = sourceRows(BATCH_ROWS);
  let i = 0;
  let j = 0;
  return [
    {
      id: 'rules.classify',
      label: '`classify` (one valid record)',
      group: 'rules',
      fn: () => classify(valid[i++ % valid.length]!),
      unitsPerCall: 1,
      unit: 'records',
    },
    {
      id: 'rules.checkRow',
      label: '`checkRow` (one source row)',
      group: 'rules',
      fn: () => checkRow(rows[j++ % rows.length]!),
      unitsPerCall: 1,
      unit: 'rows',
    },
    {
      id: 'rules.batch',
      label: `\`checkRow\` + \`classify\`, batch of ${BATCH_ROWS.toLocaleString('en-US')} rows`,
      group: 'rules',
      fn: () => {
        let n = 0;
        for (const row of rows) {
          const c = checkRow(row);
          if (c.valid) n += classify(c.measurements).riskFactorCount;
        }
        return n;
      },
      unitsPerCall: BATCH_ROWS,
      unit: 'rows',
    },
  ];
}
