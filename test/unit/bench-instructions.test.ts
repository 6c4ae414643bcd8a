// The callgrind side of the bench (bench/http/instructions.ts): reading a dump's total and taking
// the steady state of the windows.
import { describe, expect, it } from 'vitest';
import { callgrindTotal, steadyPerResponse } from '../../bench/http/instructions.ts';

describe('callgrind dump totals', () => {
  it('reads the totals line of a dump', () => {
    const dump = [
      '# callgrind format',
      'version: 1',
      'creator: callgrind-3.19.0',
      'events: Ir',
      'summary: 362600609',
      '',
      'fl=(1) ???',
      '0 12',
      'totals: 363049058',
      '',
    ].join('\n');
    expect(callgrindTotal(dump)).toBe(363_049_058);
  });

  it('falls back to the summary line, and says null when there is neither', () => {
    expect(callgrindTotal('events: Ir\nsummary: 1234\n')).toBe(1234);
    expect(callgrindTotal('events: Ir\n')).toBeNull();
    expect(callgrindTotal('x totals: 5\n')).toBeNull(); // only a line that starts with it
  });
});

describe('steady state of the windows', () => {
  it('is the median window, whatever the order', () => {
    expect(steadyPerResponse([259_702, 304_583, 305_281])).toBe(304_583);
    expect(steadyPerResponse([305_281, 259_702, 304_583])).toBe(304_583);
    expect(steadyPerResponse([10, 20, 30, 1000])).toBe(25);
    expect(steadyPerResponse([5])).toBe(5);
  });
});
