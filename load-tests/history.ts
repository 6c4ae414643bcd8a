// Report files: <timestamp>-<scenario>.{md,json,…} in load-tests/reports, names that sort in
// time order, and the newest earlier JSON of the same scenario (the run to compare with).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../local/bundle.ts';
import type { LoadTestResult } from './report/types.ts';

export const REPORTS_DIR = join(ROOT, 'load-tests', 'reports');

/** 2026-11-22T02:55:01.123Z → 20261122-025501 (UTC). */
export function stamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
}

export const reportId = (date: Date, scenario: string) => `${stamp(date)}-${scenario}`;

/** The newest report of `scenario` whose id sorts before `beforeId`, or null. */
export async function previousReport(
  scenario: string,
  beforeId: string,
  dir = REPORTS_DIR,
): Promise<LoadTestResult | null> {
  if (!existsSync(dir)) return null;
  const suffix = `-${scenario}.json`;
  const names = (await readdir(dir))
    .filter((n) => /^\d{8}-\d{6}-/.test(n) && n.endsWith(suffix) && n.slice(0, -'.json'.length) < beforeId)
    .sort();
  for (const name of names.reverse()) {
    try {
      const r = JSON.parse(await readFile(join(dir, name), 'utf8')) as LoadTestResult;
      if (r.schemaVersion === 1 && r.scenario === scenario) return r;
    } catch {
      // a damaged file is skipped, the next older one is used
    }
  }
  return null;
}
