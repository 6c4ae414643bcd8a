// The layering of docs/architecture.md#layering-rules, checked on the code: every relative import
// of every source file (type-only ones too: they are arrows a reader follows), read with
// TypeScript's own pre-processor. No cycle between files or between folders, and the arrows the
// rules forbid do not exist.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const PARTS = ['src', 'etl', 'kit', 'local', 'bench', 'load-tests', 'loadkit', 'test'];
const SOURCE = /\.(ts|cjs|mjs)$/;

function sourceFiles(dir: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(join(ROOT, dir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'fixtures' ? [] : sourceFiles(path);
    return SOURCE.test(e.name) ? [path] : [];
  });
}

/** file → the project files it imports (relative specifiers only; packages are not arrows here). */
function importGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of PARTS.flatMap(sourceFiles)) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of info.importedFiles) {
      if (fileName.startsWith('.')) targets.add(normalize(join(dirname(file), fileName)));
    }
    graph.set(file, targets);
  }
  // require('./x.cjs') in .cjs files, which preProcessFile does not report.
  for (const file of graph.keys()) {
    if (!file.endsWith('.cjs')) continue;
    for (const m of readFileSync(join(ROOT, file), 'utf8').matchAll(/require\(['"](\.[^'"]+)['"]\)/g))
      graph.get(file)!.add(normalize(join(dirname(file), m[1]!)));
  }
  return graph;
}

/** Strongly connected components of more than one node (Tarjan): each one is a cycle. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const graph = importGraph();
const edges = [...graph].flatMap(([from, tos]) => [...tos].map((to) => ({ from, to })));
const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

describe('import graph', () => {
  it('reads the project: hundreds of files and their imports', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/app.ts')).toContain('src/http/errors.ts');
  });

  it('no cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('no cycle between folders', () => {
    const folders = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      const a = dirname(from);
      const b = dirname(to);
      if (!folders.has(a)) folders.set(a, new Set());
      if (!folders.has(b)) folders.set(b, new Set());
      if (a !== b) folders.get(a)!.add(b);
    }
    expect(cycles(folders)).toEqual([]);
  });

  it.each([
    ['src/data', 'src/http', 'the data layer raises its own errors and knows nothing of HTTP'],
    ['etl', 'local', 'the ETL runs against any database; the local stack is built on it, not under it'],
    ['etl', 'bench', 'the ETL is a product; the benchmarks measure it'],
    ['etl', 'load-tests', 'the ETL is a product; the load tests use it'],
    ['src', 'etl', 'the Worker bundle holds the Worker only'],
    ['src', 'local', 'the Worker bundle holds the Worker only'],
    ['src', 'kit', 'the Worker bundle holds the Worker only (kit/ is Node)'],
    ['kit', 'src', 'the kit imports nothing of the project'],
    ['kit', 'etl', 'the kit imports nothing of the project'],
    ['local', 'bench', 'the local stack serves the benchmarks, never the reverse'],
    ['local', 'load-tests', 'the local stack serves the load tests, never the reverse'],
    ['bench', 'load-tests', 'what both need lives in loadkit/'],
    ['load-tests', 'bench', 'what both need lives in loadkit/'],
    ['loadkit', 'bench', 'the shared kit stands below both'],
    ['loadkit', 'load-tests', 'the shared kit stands below both'],
    ['etl', 'loadkit', 'the ETL is a product; the measuring kit is not part of it'],
  ])('%s never imports %s: %s', (from, to) => {
    const offending = edges.filter((e) => under(e.from, from) && under(e.to, to)).map((e) => `${e.from} → ${e.to}`);
    expect(offending).toEqual([]);
  });

  it('a test of this test: a cycle and a forbidden arrow are found', () => {
    const g = new Map([
      ['a/x.ts', new Set(['b/y.ts'])],
      ['b/y.ts', new Set(['a/x.ts'])],
      ['c/z.ts', new Set<string>()],
    ]);
    expect(cycles(g)).toEqual([['a/x.ts', 'b/y.ts']]);
    expect(relative(ROOT, join(ROOT, 'src/data/cache.ts'))).toBe('src/data/cache.ts');
  });
});
