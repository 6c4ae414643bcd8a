// Decides what data the local stack serves: a real NHIS file, N synthetic rows, or (when the
// database is empty) the default demo set, always through the real ETL.
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import type { MysqlTarget } from './config.ts';
import { ROOT } from './bundle.ts';
import { generateFile } from '../etl/generate/generator.ts';
import { runEtl } from '../etl/run.ts';

export const DEFAULT_DEMO_ROWS = 200_000;
export const DEMO_SEED = 2024;

export type DatasetChoice =
  | { kind: 'if-empty'; rows: number } // demo data only when the database holds none
  | { kind: 'rows'; rows: number; seed?: number } // always (re)load N synthetic rows
  | { kind: 'input'; path: string } // always (re)load a real NHIS CSV
  | { kind: 'none' }; // load nothing (the database keeps what it has)

export interface DatasetContext {
  /** The production branch's gateway: the ETL loads through it with DATABASE_URL alone. */
  databaseUrl: string;
  mysql: MysqlTarget;
  database: string;
  log: (msg: string) => void;
  progress?: 'auto' | 'lines' | 'none';
}

async function datasetRows(target: MysqlTarget, database: string): Promise<number> {
  const conn = await mysql.createConnection({ ...target, database });
  try {
    const [rows] = await conn.query(
      'SELECT d.total_records FROM dataset_pointer p JOIN datasets d ON d.id = p.live_dataset WHERE p.id = 1',
    );
    return Number((rows as { total_records?: number }[])[0]?.total_records ?? 0);
  } finally {
    await conn.end();
  }
}

/** Writes (once, cached under .local/data) the synthetic CSV for `rows` and `seed`. */
export async function syntheticCsv(rows: number, seed = DEMO_SEED): Promise<string> {
  const dir = join(ROOT, '.local', 'data');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `nhis-synthetic-${rows}-seed${seed}.csv`);
  if (!existsSync(file)) {
    // Write beside and rename, so an interrupted run never leaves a truncated file to reuse.
    await generateFile(`${file}.part`, { rows, seed, encoding: 'cp949' });
    await rename(`${file}.part`, file);
  }
  return file;
}

export async function prepareDataset(choice: DatasetChoice, ctx: DatasetContext): Promise<void> {
  let input: string;
  if (choice.kind === 'none') return;
  if (choice.kind === 'input') input = choice.path;
  else if (choice.kind === 'rows') input = await syntheticCsv(choice.rows, choice.seed);
  else {
    const existing = await datasetRows(ctx.mysql, ctx.database);
    if (existing > 0) {
      ctx.log(`dataset: ${existing.toLocaleString('en-US')} rows already loaded in '${ctx.database}'`);
      return;
    }
    ctx.log(`dataset: '${ctx.database}' is empty; loading ${choice.rows.toLocaleString('en-US')} synthetic rows`);
    input = await syntheticCsv(choice.rows);
  }
  // Same file as the current dataset: the ETL says so and changes nothing.
  await runEtl({
    input,
    mode: 'auto',
    target: { kind: 'planetscale', url: ctx.databaseUrl },
    api: null, // the Worker is not up yet; its first request fills the cache
    log: ctx.log,
    progress: ctx.progress ?? 'none',
  });
}
