// The fetch floor's pure parts: the ratio, its verdicts (judged only when counted), the grouping of
// a callgrind_annotate profile, and the report section, which an older result without the fetch
// floor does not show at all.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareProfiles,
  FETCH_FLOOR_TARGET,
  type FetchFloorResult,
  fetchFloorRatio,
  fetchFloorVerdicts,
  groupOf,
  groupProfile,
  parseCallgrind,
} from '../../bench/report/fetch-floor.ts';
import { fetchFloorLines, renderFetchFloor } from '../../bench/report/fetch-floor-section.ts';
import { render } from '../../bench/report/render.ts';
import type { PerformanceResult } from '../../bench/report/types.ts';
import { verdicts } from '../../bench/report/verdicts.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'bench', 'report', 'fixtures');
const fixture = () => JSON.parse(readFileSync(join(FIXTURES, 'performance.json'), 'utf8')) as PerformanceResult;

const figures = (id: string, perResponse: number) => ({ id, label: id, perResponse, windows: [perResponse] });

function result(): FetchFloorResult {
  return {
    tool: 'valgrind-3.22.0',
    warmup: 750,
    perWindow: 250,
    windows: 3,
    connections: 4,
    target: FETCH_FLOOR_TARGET,
    pairs: [
      {
        id: 'record-by-id',
        label: 'GET /records/:id (random ids)',
        statements: 'record',
        endpoint: figures('record-by-id', 1_200_000),
        fetchFloor: figures('record-by-id', 1_000_000),
        ratio: 1.2,
      },
      {
        id: 'stats-risk-uncached',
        label: 'GET /stats/risk (uncached)',
        statements: 'summary + aggregates',
        endpoint: figures('stats-risk-uncached', 3_000_000),
        fetchFloor: figures('stats-risk-uncached', 1_500_000),
        ratio: 2,
        profile: [
          { group: 'fetch, HTTP and streams (workerd, kj)', endpoint: 1_500_000, fetchFloor: 800_000 },
          { group: 'JSON (V8 parse / stringify)', endpoint: 300_000, fetchFloor: 200_000 },
        ],
      },
    ],
  };
}

describe('fetch floor: ratio and verdicts', () => {
  it('divides the endpoint by the fetch floor, and has no ratio without a positive floor', () => {
    expect(fetchFloorRatio(3_000, 2_000)).toBe(1.5);
    expect(fetchFloorRatio(3_000, 0)).toBeNull();
  });

  it('judges each pair against 1.5 ×: at the bound passes, above fails', () => {
    const r = result();
    r.pairs[0]!.ratio = 1.5;
    const v = fetchFloorVerdicts(r);
    expect(v.map((x) => x.pass)).toEqual([true, false]);
    expect(v[1]!.criterion).toBe(
      "GET /stats/risk (uncached) instructions ≤ 1.5 × the fetch floor's (same subrequests)",
    );
    expect(v[1]!.measured).toBe('3,000,000 ÷ 1,500,000 = 2.00');
  });

  it('judges nothing when the fetch floor was not counted', () => {
    expect(fetchFloorVerdicts(undefined)).toEqual([]);
    expect(fetchFloorVerdicts(null)).toEqual([]);
    expect(fetchFloorVerdicts({ ...result(), tool: null, skipped: 'no valgrind', pairs: [] })).toEqual([]);
    expect(verdicts(fixture()).some((v) => v.criterion.includes('fetch floor'))).toBe(false);
    expect(
      verdicts({ ...fixture(), fetchFloor: result() }).filter((v) => v.criterion.includes('fetch floor')),
    ).toHaveLength(2);
  });
});

describe('fetch floor: the profile', () => {
  // A callgrind output file as callgrind writes it: compressed names, a call's inclusive cost
  // after its calls= line (the callee's, not the caller's own).
  const dump = `version: 1
creator: callgrind-3.19.0
events: Ir
ob=(1) /bin/workerd
fl=(1) ???
fn=(1) main
0 1000
cfn=(2) v8::internal::JsonParser<unsigned char>::ParseJsonValue()
calls=1 0
0 2000000
fn=(2)
0 2000000
fn=(3) 0x000000003a1b2c40
0 4000000
+1 250000
cfn=(4) kj::_::HttpInputStreamImpl::readHeaders()
calls=2 0
* 1000000
fn=(4)
0 1000000
fn=(5) tcmalloc::tcmalloc_internal::FreeSmallSlow(void*)
0 500000
totals: 7751000
`;

  it("reads each function's self count from a callgrind file", () => {
    const fns = parseCallgrind(dump);
    expect(fns).toEqual([
      { fn: 'main', ir: 1000 },
      { fn: 'v8::internal::JsonParser<unsigned char>::ParseJsonValue()', ir: 2_000_000 },
      { fn: '0x000000003a1b2c40', ir: 4_250_000 },
      { fn: 'kj::_::HttpInputStreamImpl::readHeaders()', ir: 1_000_000 },
      { fn: 'tcmalloc::tcmalloc_internal::FreeSmallSlow(void*)', ir: 500_000 },
    ]);
    expect(fns.reduce((a, f) => a + f.ir, 0)).toBe(7_751_000);
  });

  it('groups functions by name', () => {
    expect(groupOf('0x000000003a1b2c40')).toBe('interpreter and JIT-compiled JS');
    expect(groupOf('Builtins_InterpreterEntryTrampoline')).toBe('interpreter and JIT-compiled JS');
    expect(groupOf('v8::internal::JsonStringifier::Serialize_()')).toBe('JSON (V8 parse / stringify)');
    expect(groupOf('kj::_::HttpInputStreamImpl::readHeaders()')).toBe('fetch, HTTP and streams (workerd, kj)');
    expect(groupOf('v8::internal::Heap::Scavenge()')).toBe('garbage collection');
    expect(groupOf('Builtins_StringAdd_CheckNone')).toBe('strings, objects, arrays (V8 builtins)');
    expect(groupOf('__memmove_avx_unaligned_erms')).toBe('memory, libc');
    expect(groupOf('tcmalloc::tcmalloc_internal::TCMallocPolicy<AllocationTag>')).toBe('memory, libc');
    expect(groupOf('kj::decodeBase64(kj::ArrayPtr<char const>)')).toBe('base64, UTF-8 (atob, text encoding)');
    expect(groupOf('something_else')).toBe('other');
  });

  it('gives each group per response, and sorts the comparison by the largest difference', () => {
    const endpoint = groupProfile(parseCallgrind(dump), 1000);
    expect(endpoint.get('JSON (V8 parse / stringify)')).toBe(2000);
    expect(endpoint.get('interpreter and JIT-compiled JS')).toBe(4250);
    expect(endpoint.get('memory, libc')).toBe(500);
    const floor = groupProfile([{ fn: '0x1', ir: 1_000_000 }], 1000);
    const cmp = compareProfiles(endpoint, floor);
    expect(cmp[0]).toEqual({ group: 'interpreter and JIT-compiled JS', endpoint: 4250, fetchFloor: 1000 });
    expect(cmp.every((g) => g.endpoint || g.fetchFloor)).toBe(true);
    expect(cmp.find((g) => g.group === 'other')).toEqual({ group: 'other', endpoint: 1, fetchFloor: 0 });
  });
});

describe('fetch floor: the report section', () => {
  it('renders nothing when the run did not count it, so older reports are unchanged', () => {
    expect(renderFetchFloor(undefined)).toBe('');
    expect(renderFetchFloor(null)).toBe('');
    expect(fetchFloorLines(undefined)).toEqual([]);
    expect(render(fixture())).not.toContain('fetch floor');
  });

  it('says why when it could not count', () => {
    const md = renderFetchFloor({ ...result(), tool: null, skipped: 'valgrind is not installed', pairs: [] });
    expect(md).toContain('Not counted: valgrind is not installed.');
  });

  it('shows each pair with its ratio and verdict, and the profile of the pairs over the target', () => {
    const md = renderFetchFloor(result());
    expect(md).toContain('| GET /records/:id (random ids) | record | 1,200,000 | 1,000,000 | 1.20 (≤ 1.5): ✅ pass |');
    expect(md).toContain(
      '| GET /stats/risk (uncached) | summary + aggregates | 3,000,000 | 1,500,000 | 2.00 (≤ 1.5): ❌ fail |',
    );
    expect(md).toContain('**GET /stats/risk (uncached)** (2.00 × the fetch floor)');
    expect(md).toContain('| fetch, HTTP and streams (workerd, kj) | 1,500,000 | 800,000 | 700,000 |');
    expect(md).toContain('| all (one window each) | 1,800,000 | 1,000,000 | 800,000 |');
    expect(md).not.toContain('**GET /records/:id (random ids)**');
    expect(md.endsWith('\n\n')).toBe(true);
    expect(render({ ...fixture(), fetchFloor: result() })).toContain(
      '## The fetch floor: database-backed endpoints against their subrequests',
    );
  });

  it('prints one console line per pair, and the profile of a pair over the target', () => {
    const lines = fetchFloorLines(result());
    expect(lines.some((l) => l.includes('GET /records/:id (random ids)') && l.includes('×1.20  pass'))).toBe(true);
    expect(lines.some((l) => l.includes('×2.00  FAIL'))).toBe(true);
    expect(lines.some((l) => l.includes('fetch, HTTP and streams') && l.includes('(+700,000)'))).toBe(true);
  });
});
