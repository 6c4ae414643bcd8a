// The repository stands alone: every relative link, anchor, `docs/….md#anchor` reference and file
// path in README.md and docs/*.md resolves to a file (and heading) of the repository, so do the
// `docs/….md#anchor` references in the code's comments, and no file points at a directory beside
// the clone. Anchors are GitHub's: the heading's text, lower case, punctuation dropped, spaces as
// hyphens, `-1`, `-2` … for repeats.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Output of runs, not part of the repository (.gitignore): mentioned in the docs, never committed. */
const GENERATED = ['bench/reports/', 'load-tests/reports/', '.local/', 'test/artifacts/', 'coverage/', 'dist/'];
/** Top-level folders a path reference in the docs starts with. */
const PATH_HEADS = /^(?:src|etl|kit|local|bench|loadkit|load-tests|test|docs|\.ci)\//;

/** Repository files (tracked, and new ones not ignored), relative, with `/`; a walk where git is absent. */
function repositoryFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return [...new Set(out.split('\0').filter(Boolean))].filter((f) => existsSync(join(ROOT, f)));
  } catch {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.name === 'node_modules' || e.name === '.git' || GENERATED.some((g) => `${rel}/`.startsWith(g))) continue;
        if (e.isDirectory()) walk(rel);
        else files.push(rel);
      }
    };
    walk('');
    return files;
  }
}

/** GitHub's anchor for a heading's text (github-slugger): inline markup gone, punctuation dropped. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, '')
    .replace(/ /g, '-');
}

interface Line {
  text: string;
  number: number;
}

/** The lines outside fenced code blocks (``` or ~~~). */
function prose(markdown: string): Line[] {
  const out: Line[] = [];
  let fence: string | null = null;
  markdown.split('\n').forEach((text, i) => {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(text);
    if (m) {
      if (fence === null) fence = m[1]![0]!;
      else if (m[1]![0] === fence) fence = null;
      return;
    }
    if (fence === null) out.push({ text, number: i + 1 });
  });
  return out;
}

/** Every anchor a markdown file offers: its headings (repeats numbered) and explicit HTML ids. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of prose(markdown)) {
    const h = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      anchors.add(n ? `${base}-${n}` : base);
    }
    for (const m of text.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(abs: string): Set<string> {
  let a = anchorCache.get(abs);
  if (!a) anchorCache.set(abs, (a = anchorsOf(readFileSync(abs, 'utf8'))));
  return a;
}

/** Why `target` (a path relative to `fromDir`, maybe with `#anchor`) does not resolve, or null. */
function problem(target: string, fromDir: string, selfAbs: string): string | null {
  const hash = target.indexOf('#');
  const path = decodeURI(hash < 0 ? target : target.slice(0, hash));
  const anchor = hash < 0 ? null : target.slice(hash + 1);
  const abs = path ? resolve(fromDir, path) : selfAbs;
  const rel = relative(ROOT, abs);
  if (rel.startsWith('..') || rel.split(sep)[0] === 'node_modules') return 'points outside the repository';
  if (!existsSync(abs)) return 'no such file';
  if (anchor === null || anchor === '') return null;
  if (statSync(abs).isDirectory() || !abs.endsWith('.md')) return 'an anchor on something that is not a markdown file';
  return anchorsOfFile(abs).has(decodeURIComponent(anchor)) ? null : `no heading with anchor #${anchor}`;
}

/** A backticked path with a `*` names files that exist: its folder holds a match. */
function globMatches(pattern: string): boolean {
  const dir = join(ROOT, dirname(pattern));
  if (!existsSync(dir)) return false;
  const base = pattern.slice(pattern.lastIndexOf('/') + 1);
  const re = new RegExp(`^${base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return readdirSync(dir).some((name) => re.test(name));
}

const files = repositoryFiles();
const docs = files.filter((f) => f === 'README.md' || /^docs\/[^/]+\.md$/.test(f)).sort();

/** `docs/<name>.md` and `docs/<name>.md#<anchor>` written out in any text. */
const DOC_REFERENCE = /(?<![\w./-])docs\/[\w.-]+\.md(?:#[\p{L}\p{N}_-]+)?/gu;

describe('documentation references', () => {
  it('has a README and the five documents', () => {
    for (const f of [
      'README.md',
      'docs/api.md',
      'docs/data.md',
      'docs/architecture.md',
      'docs/protocols.md',
      'docs/measuring.md',
    ])
      expect(docs).toContain(f);
  });

  it('makes GitHub-style anchors', () => {
    expect(slug('GET /records/{id}')).toBe('get-recordsid');
    expect(slug("The replaced service's figures")).toBe('the-replaced-services-figures');
    expect(slug('The rules (guideline-v1)')).toBe('the-rules-guideline-v1');
    expect(slug('`X-Cache`')).toBe('x-cache');
    expect(slug('Rate limits: per key')).toBe('rate-limits-per-key');
    expect([...anchorsOf('# A\n## Errors\n```\n# not a heading\n```\n### Errors\n')]).toEqual([
      'a',
      'errors',
      'errors-1',
    ]);
  });

  it('resolves every relative link and anchor in README.md and docs/*.md', () => {
    const problems: string[] = [];
    for (const file of docs) {
      const abs = join(ROOT, file);
      for (const { text, number } of prose(readFileSync(abs, 'utf8'))) {
        const bare = text.replace(/`[^`]*`/g, '');
        const targets = [
          ...[...bare.matchAll(/\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
          ...[...bare.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]!),
        ];
        for (const target of targets) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
          const why = problem(target, dirname(abs), abs);
          if (why) problems.push(`${file}:${number}: (${target}) ${why}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('resolves every docs/….md#anchor reference, in the docs and in the code', () => {
    const problems: string[] = [];
    for (const file of files.filter(
      (f) => /\.(md|ts|cjs|sql|toml)$/.test(f) && !f.split('/').includes('node_modules'),
    )) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((text, i) => {
          for (const m of text.matchAll(DOC_REFERENCE)) {
            const why = problem(m[0], ROOT, join(ROOT, file));
            if (why) problems.push(`${file}:${i + 1}: ${m[0]} ${why}`);
          }
        });
    }
    expect(problems).toEqual([]);
  });

  it('names only files and folders that exist, in backticked paths of README.md and docs/*.md', () => {
    const problems: string[] = [];
    for (const file of docs) {
      for (const { text, number } of prose(readFileSync(join(ROOT, file), 'utf8'))) {
        for (const m of text.matchAll(/`([^`\s]+)`/g)) {
          const token = m[1]!.replace(/:\d+$/, '');
          if (!PATH_HEADS.test(token) || /[<>{}]/.test(token) || GENERATED.some((g) => token.startsWith(g))) continue;
          if (token.includes('*')) {
            if (!globMatches(token)) problems.push(`${file}:${number}: \`${token}\` matches no file`);
            continue;
          }
          const why = problem(token, ROOT, join(ROOT, file));
          if (why) problems.push(`${file}:${number}: \`${token}\` ${why}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('points nowhere outside the repository: no .ts, .md or .cjs file mentions the old shared folder', () => {
    // Built from parts, so this file does not match itself.
    const needles = ['shared' + '/', '..' + '/shared'];
    const problems: string[] = [];
    for (const file of files.filter((f) => /\.(ts|md|cjs)$/.test(f) && !f.split('/').includes('node_modules'))) {
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((text, i) => {
          const hit = needles.find((n) => text.includes(n));
          if (hit) problems.push(`${file}:${i + 1}: ${text.trim().slice(0, 120)}`);
        });
    }
    expect(problems).toEqual([]);
  });
});
