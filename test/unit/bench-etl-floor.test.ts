// The ETL bench's INSERT floor: the production path's statements replayed into MariaDB, summed up
// over the rounds against the bare load and the production path of the same round.
import { describe, expect, it } from 'vitest';
import { summarizeFloor } from '../../bench/etl/summary.ts';
import type { FloorRun, LegRun, Round } from '../../bench/etl/types.ts';

const settled = { dirtyPages: 0, checkpointAgeMb: 0, waitedMs: 0 };
const bare = (ms: number) => ({ ms, mariadbCpuS: null, redoMb: 0, settled });
const floor = (ms: number, cpu: number): FloorRun => ({
  ms,
  rows: 1000,
  connections: 4,
  mariadbCpuS: cpu,
  redoMb: 0,
  settled,
});
const round = (bareMs: number, f?: FloorRun, productionMs?: number): Round => ({
  order: ['bare', 'production', 'floor'],
  bareTyped: bare(bareMs),
  bareText: bare(Number.NaN),
  ...(f ? { floor: f } : {}),
  ...(productionMs ? { production: { totalMs: productionMs } as LegRun } : {}),
  loadavg: 0,
});

describe('summarizeFloor', () => {
  it('is absent when no round measured the floor', () => {
    expect(summarizeFloor([round(5000)])).toBeUndefined();
  });

  it('gives medians, each ratio paired within its round', () => {
    const s = summarizeFloor([
      round(5000, floor(14000, 23), 20000),
      round(4000, floor(12000, 21), 18000),
      round(6000, floor(13000, 25), 26000),
    ]);
    // Floor ÷ bare per round: 2.8, 3.0, 2.1667; production ÷ floor: 1.4286, 1.5, 2.0.
    expect(s).toEqual({ ms: 13000, ratioVsTyped: 2.8, mariadbCpuS: 23, productionOverFloor: 1.5 });
  });

  it('leaves the production ratio out when the production path was not measured', () => {
    expect(summarizeFloor([round(5000, floor(10000, 20))])?.productionOverFloor).toBeNull();
  });
});
