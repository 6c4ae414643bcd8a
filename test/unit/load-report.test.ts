// The load-test report is a pure renderer: stored result JSON from real runs (two smoke runs, a
// spike, a cache stampede, a faults run) must render to the stored markdown and SVG, with the
// comparison.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartFiles, faultsSection, render, renderCharts } from '../../load-tests/report/render.ts';
import type { FaultReport, LoadTestResult } from '../../load-tests/report/types.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'load-tests', 'report', 'fixtures');
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as LoadTestResult;

describe('load-test report renderer', () => {
  it('renders a smoke run compared with the previous one', async () => {
    await expect(render(load('smoke'), load('smoke-previous'))).toMatchFileSnapshot(
      join(FIXTURES, 'smoke.expected.md'),
    );
  });

  it('renders a multi-stage spike with no previous run', async () => {
    const md = render(load('spike'), null);
    expect(md).toContain('this run is the baseline for the next');
    expect(md).toContain('stage spike (100 conn.)');
    await expect(md).toMatchFileSnapshot(join(FIXTURES, 'spike.expected.md'));
  });

  it('says which thresholds could not be evaluated', async () => {
    const md = render(load('cache-stampede'), null);
    expect(md).toMatch(/^# Load test: cache-stampede — PASS \(1 threshold not evaluated\)/);
    expect(md).toContain('— not evaluated');
    await expect(md).toMatchFileSnapshot(join(FIXTURES, 'cache-stampede.expected.md'));
  });

  it('draws throughput and latency over time, with stage markers', async () => {
    const spike = load('spike');
    const charts = renderCharts(spike);
    expect(Object.keys(charts)).toEqual(Object.values(chartFiles(spike.id)));
    expect(charts[chartFiles(spike.id).throughput]).toContain('stroke-dasharray');
    for (const [name, svg] of Object.entries(charts))
      await expect(svg).toMatchFileSnapshot(join(FIXTURES, `expected-${name.replace(spike.id, 'spike')}`));
  });

  it('flags a comparison across different targets', () => {
    const now = load('smoke');
    const md = render(now, {
      ...load('smoke-previous'),
      target: { url: 'https://edge.example.com', kind: 'explicit', runtime: null },
    });
    expect(md).toContain('**a different target or runtime**');
  });

  it('renders a faults run: its timeline, a row per fault window, stale-if-error per endpoint, the client drop', async () => {
    const r = load('faults');
    const md = render(r, null);
    await expect(md).toMatchFileSnapshot(join(FIXTURES, 'faults.expected.md'));
    const section = md.slice(md.indexOf('## Faults'), md.indexOf('## Latency and throughput'));
    for (const code of ['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'ABORTED']) {
      expect(section).toContain(`| ${code} on for 3 s`);
      expect(section).toMatch(
        new RegExp(`^\\| ${code} \\| \\d+\\.\\d–\\d+\\.\\d s \\| [\\d,]+ \\| [\\d,]+ \\| [\\d,]+ \\|`, 'm'),
      );
    }
    expect(section).toMatch(/\| client drop: the gateway holds the next load of `GET \/records\?/);
    expect(section).toContain('| no fault (all the rest) |  | 24,440 | 24,416 | 24 (24 within 1 s after a fault) |');
    expect(section).toContain('| `GET /stats/risk` | 2,938 | 2,938 | 0 | 0 | STALE ×1,472, HIT-L1 ×1,466 |');
    expect(section).toContain('stale-if-error');
    expect(section).toContain('20 of 20 answered 2xx or 503 with Retry-After (200 ×20)');
    const charts = renderCharts(r);
    for (const label of ['UNAVAILABLE on', 'ABORTED on', 'client drop'])
      expect(charts[chartFiles(r.id).throughput]).toContain(`>${label}</text>`);
    // Other scenarios have no such section.
    expect(render(load('spike'), null)).not.toContain('## Faults');
  });

  it('says when a fault went wrong: stats never stale, a dropped client answered before its abort, a burst not answered', () => {
    const f = load('faults').faults!;
    const worse: FaultReport = {
      ...f,
      duringFaults: f.duringFaults.map((e) =>
        e.endpoint.startsWith('GET /stats/') ? { ...e, okXCache: { 'HIT-L1': e.ok } } : e,
      ),
      drop: {
        ...f.drop!,
        first: { aborted: false, status: 200, ms: 12 },
        burst: [
          ...f.drop!.burst.slice(2),
          { status: 503, retryAfter: false, ms: 40 },
          { status: null, retryAfter: false, ms: 9000, error: 'The operation was aborted due to timeout' },
        ],
      },
    };
    const md = faultsSection(worse);
    expect(md).toContain('No stats response was STALE');
    expect(md).toContain(
      'was answered (200) after 12 ms, before the abort: the hold did not catch it, so the drop was not exercised',
    );
    expect(md).toContain('18 of 20 answered');
    expect(md).toContain(', 1 later than that.');
    expect(md).toContain(
      'Not answered: 503 without Retry-After after 40.00 ms; no response (The operation was aborted due to timeout) after 9,000.00 ms.',
    );
    expect(faultsSection({ ...f, drop: null })).toContain('The client drop did not run');
  });

  it('is a pure function of its inputs', () => {
    expect(render(load('smoke'), load('smoke-previous'))).toBe(render(load('smoke'), load('smoke-previous')));
  });
});
