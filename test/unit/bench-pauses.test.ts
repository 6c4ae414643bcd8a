// The pauses part of the bench: V8's GC trace read from workerd's output and set beside the
// stalls the open-loop generator saw. Pure parts only; the runs themselves belong to `npm run bench`.
import { describe, expect, it } from 'vitest';
import { type GcEvent, type PausesResult, parseGcTrace, pauseFigures } from '../../bench/report/pauses.ts';
import { gcShareOfStalls, pausesLines, renderPauses } from '../../bench/report/pauses-section.ts';
import type { OpenLoopResult } from '../../loadkit/http/open-loop.ts';

const nvp = (isolateMs: number, fields: Record<string, unknown>) =>
  `[4242:0x12c4bfd08000:0]    ${isolateMs} ms: GC: ${JSON.stringify(fields)}`;

describe('parseGcTrace', () => {
  it('reads each collection of a chunk, and nothing else', () => {
    const chunk = [
      nvp(14214, {
        pause: 9.723,
        gc: 's',
        reason: 'allocation failure',
        allocated: 5_298_984,
        nodes_died_in_new: 10,
        nodes_copied_in_new: 15_865,
        nodes_promoted: 5_719,
        new_space_capacity: 4_194_304,
      }),
      '{"level":"info","msg":"a line the Worker logged"}',
      nvp(15798, { pause: 9.343, gc: 'mc', reason: 'allocation failure', allocated: 2_459_564 }),
      '[4242:0x12c4bfd08000:0]    15900 ms: GC: {"pause":1.2,"gc":"s","alloc', // cut by the pipe
      '',
    ].join('\n');
    expect(parseGcTrace(chunk, 1_000)).toEqual([
      {
        at: 1_000,
        isolateMs: 14214,
        kind: 's',
        pauseMs: 9.723,
        allocated: 5_298_984,
        youngHandles: 21_594,
        newSpaceBytes: 4_194_304,
        reason: 'allocation failure',
      },
      {
        at: 1_000,
        isolateMs: 15798,
        kind: 'mc',
        pauseMs: 9.343,
        allocated: 2_459_564,
        youngHandles: 0,
        newSpaceBytes: 0,
        reason: 'allocation failure',
      },
    ]);
  });
});

function run(over: Partial<OpenLoopResult> = {}): OpenLoopResult {
  const latency = { p50: 1, p90: 2, p99: 20, p999: 40, max: 45 };
  return {
    requestedRate: 1000,
    achievedRate: 1000,
    held: true,
    sent: 10_000,
    completed: 10_000,
    failed: 0,
    errors: 0,
    latency,
    service: latency,
    maxSendLagMs: 1,
    stalls: [],
    stalledMs: 0,
    window: { from: 100_000, to: 110_000 },
    ...over,
  };
}

const gc = (at: number, isolateMs: number, pauseMs: number, over: Partial<GcEvent> = {}): GcEvent => ({
  at,
  isolateMs,
  kind: 's',
  pauseMs,
  allocated: 2_000_000,
  youngHandles: 5_000,
  newSpaceBytes: 1_048_576,
  reason: 'allocation failure',
  ...over,
});

describe('pauseFigures', () => {
  it('sets each stall beside the collections of the window, and counts bytes and handles per response', () => {
    const events = [
      gc(99_000, 1_000, 5), // before the window: not counted
      gc(101_005, 3_005, 5), // ends 5 ms into a stall at 101,000
      gc(104_000, 6_000, 3, { kind: 'mc', allocated: 1_000_000, youngHandles: 0 }),
      gc(107_000, 9_005, 6), // 1 s after the stall at 106,000 ended: no overlap
      gc(111_000, 13_000, 5), // after the window
    ];
    const f = pauseFigures(
      'simulate',
      'POST /simulate',
      run({
        stalls: [
          { at: 101_000, ms: 20 },
          { at: 106_000, ms: 12 },
        ],
        stalledMs: 32,
      }),
      events,
    );
    expect(f.stalls).toEqual({ count: 2, totalMs: 32, longestMs: 20, duringGc: 1, duringGcMs: 20 });
    expect(f.gc.scavenges).toBe(2);
    expect(f.gc.scavengeMeanMs).toBe(5.5);
    expect(f.gc.scavengeMaxMs).toBe(6);
    expect(f.gc.full).toBe(1);
    expect(f.gc.fullMaxMs).toBe(3);
    expect(f.gc.pauseMsPerS).toBe(1.4); // 14 ms in a 10 s window
    // From the first collection of the window (isolate 3,005 ms) to the last (9,005): 6 s, 6,000 responses.
    expect(f.gc.bytesPerResponse).toBe(Math.round(3_000_000 / 6_000));
    expect(f.gc.handlesPerResponse).toBe(Math.round((5_000 / 6_000) * 10) / 10);
    expect(gcShareOfStalls(f)).toBeCloseTo(20 / 32);
    expect(f.gc.newSpaceMaxBytes).toBe(1_048_576);
  });

  it('says nothing per response with fewer than two collections in the window', () => {
    const f = pauseFigures('ceiling', 'ceiling', run(), [gc(101_000, 3_000, 4)]);
    expect(f.gc.bytesPerResponse).toBeNull();
    expect(f.gc.handlesPerResponse).toBeNull();
    expect(f.stalls.count).toBe(0);
    expect(gcShareOfStalls(f)).toBeNull();
  });
});

describe('the pauses section', () => {
  const result = (): PausesResult => ({
    runtime: 'workerd',
    rate: 2000,
    warmupS: 2,
    durationS: 10,
    stallMs: 10,
    instances: [
      pauseFigures('ceiling', 'ceiling: hello-world Worker', run(), [gc(101_000, 3_000, 4), gc(102_000, 4_000, 4)]),
      pauseFigures('simulate', 'POST /simulate', run({ stalls: [{ at: 101_000, ms: 15 }], stalledMs: 15 }), [
        gc(101_010, 3_000, 12),
        gc(102_000, 4_000, 4, { allocated: 4_000_000 }),
      ]),
    ],
  });

  it('renders a row per instance with bytes per response against the ceiling', () => {
    const md = renderPauses(result());
    expect(md).toContain('## Pauses: what stops the isolate');
    expect(md).toContain('| ceiling: hello-world Worker |');
    expect(md).toMatch(
      /\| POST \/simulate \| 1,000\.0 \| .* \| 1 of 1 \(100 % of the time\) \| .* \| 4,000 \(2\.00 ×\) \|/,
    );
    expect(pausesLines(result()).join('\n')).toContain('100 % during a GC');
    expect(md).not.toContain('Then one ceiling process');
  });

  it('renders the ceiling kept under load, window after window, with its young generation', () => {
    const windows = [1, 2].map((w) =>
      pauseFigures('ceiling', `ceiling, window ${w}`, run(), [
        gc(101_000, 3_000, 4 * w, { newSpaceBytes: w * 8_388_608 }),
        gc(102_000, 4_000, 4 * w, { newSpaceBytes: w * 8_388_608 }),
      ]),
    );
    const md = renderPauses({ ...result(), ceilingOverTime: windows });
    expect(md).toContain('Then one ceiling process under the same load for 2 windows of 10 s');
    expect(md).toContain(
      '| ceiling, window 2 | 20.00 ms | 40.00 ms | 0.00 ms | 2: 8.00 ms mean, 8.00 ms max | 16.0 MiB |',
    );
  });

  it('says why it did not run, and renders nothing for a run without it', () => {
    expect(renderPauses({ ...result(), instances: [], skipped: 'stdbuf is not installed' })).toContain(
      'Not run: stdbuf is not installed.',
    );
    expect(renderPauses(undefined)).toBe('');
    expect(pausesLines(null)).toEqual([]);
  });
});
