// The load-test report is a pure renderer: stored result JSON from real runs (two smoke runs, a
// spike, a cache stampede) must render to the stored markdown and SVG, with the comparison.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chartFiles, render, renderCharts } from '../../load-tests/report/render.ts';
import type { LoadTestResult } from '../../load-tests/report/types.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'load-tests', 'report', 'fixtures');
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as LoadTestResult;

describe('load-test report renderer', () => {
  it('renders a smoke run compared with the previous one', async () => {
    await expect(render(load('smoke'), load('smoke-previous'))).toMatchFileSnapshot(join(FIXTURES, 'smoke.expected.md'));
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
    for (const [name, svg] of Object.entries(charts)) await expect(svg).toMatchFileSnapshot(join(FIXTURES, `expected-${name.replace(spike.id, 'spike')}`));
  });

  it('flags a comparison across different targets', () => {
    const now = load('smoke');
    const md = render(now, { ...load('smoke-previous'), target: { url: 'https://edge.example.com', kind: 'explicit', runtime: null } });
    expect(md).toContain('**a different target or runtime**');
  });

  it('is a pure function of its inputs', () => {
    expect(render(load('smoke'), load('smoke-previous'))).toBe(render(load('smoke'), load('smoke-previous')));
  });
});
