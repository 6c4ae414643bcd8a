// The simulated network of the local gateways: latency profiles as the CLIs take them, and the
// count of round trips made one after another.
import { describe, expect, it } from 'vitest';
import { createSimulatedNetwork, parseLatency, sequentialTrips } from '../../local/network.ts';

const trip = (startedAt: number, endedAt: number) => ({ startedAt, endedAt });

describe('parseLatency', () => {
  it('reads a round trip with or without jitter', () => {
    expect(parseLatency('60±10')).toEqual({ rttMs: 60, jitterMs: 10 });
    expect(parseLatency('60+-10ms')).toEqual({ rttMs: 60, jitterMs: 10 });
    expect(parseLatency(' 5 ')).toEqual({ rttMs: 5, jitterMs: 0 });
  });

  it('refuses what it cannot read, and jitter larger than the round trip', () => {
    expect(() => parseLatency('fast')).toThrow(/60±10/);
    expect(() => parseLatency('-5')).toThrow(/60±10/);
    expect(() => parseLatency('5±10')).toThrow(/must not exceed/);
  });
});

describe('sequentialTrips', () => {
  it('counts parallel trips once and chained trips each', () => {
    expect(sequentialTrips([trip(0, 40), trip(5, 45), trip(10, 50)], 0, 100)).toBe(1);
    expect(sequentialTrips([trip(0, 40), trip(41, 80), trip(10, 30)], 0, 100)).toBe(2);
    expect(sequentialTrips([trip(0, 10), trip(10, 20), trip(20, 30)], 0, 100)).toBe(3);
  });

  it('leaves out trips that started before the request or outlived it (background work)', () => {
    expect(sequentialTrips([trip(-5, 20), trip(0, 40), trip(41, 120)], 0, 100)).toBe(1);
    expect(sequentialTrips([], 0, 100)).toBe(0);
  });
});

describe('createSimulatedNetwork', () => {
  it('delays each request by the profile and logs its trip', async () => {
    const net = createSimulatedNetwork({ rttMs: 30, jitterMs: 0 });
    const since = performance.now();
    const handled: number[] = [];
    const { EventEmitter } = await import('node:events');
    const res = new EventEmitter();
    net.wrap(() => {
      handled.push(performance.now());
      res.emit('finish');
    })({ url: '/' } as never, res as never);
    await new Promise((r) => setTimeout(r, 60));
    expect(handled).toHaveLength(1);
    expect(handled[0]! - since).toBeGreaterThanOrEqual(29);
    const [logged] = net.trips(since);
    expect(logged!.endedAt - logged!.startedAt).toBeGreaterThanOrEqual(29);
    net.setLatency(undefined);
    expect(net.latency()).toBeUndefined();
  });
});
