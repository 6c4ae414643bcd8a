// The Store over PlanetScale's HTTP API (@planetscale/database). All SQL of the API is here: every
// dataset statement filters on dataset_id first. The only file that imports the driver.
import { Client, DatabaseError } from '@planetscale/database';
import { DependencyError } from './dependency-error.ts';
import type { AggRow, DatasetSummary, LiveDataset, RecordFilter, RecordRow, RecordSummaryRow, Store } from './store.ts';
import type { RiskGroup } from '../risk/index.ts';
import { ANCHOR_EVERY, FILTER_VALUES, filterKey } from './page-index.ts';

export interface PlanetScaleStoreOptions {
  url: string;
  /** Bound on every query, ms: no request waits longer on the database. */
  timeoutMs: number;
  fetch?: typeof fetch;
  /** Called with each statement's duration, for Server-Timing and the query monitor. */
  onQuery?: (sql: string, ms: number, failed: boolean) => void;
}

const RECORD_COLUMNS = `id, age_group_code, gender_code, height, weight, bmi, systolic_bp, diastolic_bp,
  fasting_glucose, total_cholesterol, triglycerides, hdl_cholesterol, smoking_status,
  flag_hypertension, flag_diabetes, flag_high_tc, flag_high_tg, flag_low_hdl, flag_obesity, flag_smoking,
  risk_factor_count, risk_group, rule_version, created_at`;
/** A page lists summaries (RecordSummaryRow): 14 of the 24 columns to read, send and decode per row. */
const SUMMARY_COLUMNS = `id, age_group_code, gender_code, bmi,
  flag_hypertension, flag_diabetes, flag_high_tc, flag_high_tg, flag_low_hdl, flag_obesity, flag_smoking,
  risk_factor_count, risk_group, created_at`;

/**
 * A filter as conditions on the filter index: each column equal to its value when set, else in
 * the list of every value it takes (FILTER_VALUES), so the index is a set of ranges whatever the
 * filter. The values are the codebook's constants or validated query parameters.
 */
function filterConditions(filter: RecordFilter): { sql: string; args: unknown[] } {
  const parts: string[] = [];
  const args: unknown[] = [];
  const column = (name: string, value: unknown, all: readonly unknown[]) => {
    if (value === undefined) {
      parts.push(`${name} IN (${all.map(() => '?').join(', ')})`);
      args.push(...all);
    } else {
      parts.push(`${name} = ?`);
      args.push(value);
    }
  };
  column('age_group_code', filter.ageGroup, FILTER_VALUES.ageGroup);
  column('gender_code', filter.gender, FILTER_VALUES.gender);
  column('risk_group', filter.riskGroup, FILTER_VALUES.riskGroup);
  return { sql: parts.join(' AND '), args };
}

export interface Statement {
  sql: string;
  args: unknown[];
}

/**
 * The one row the ETL updates to make a dataset live (or to roll back), with the live dataset's
 * creation time for its cache tag (two primary-key lookups in one statement).
 */
export const POINTER_SQL =
  'SELECT p.live_dataset, p.generation, d.created_at FROM dataset_pointer p LEFT JOIN datasets d ON d.id = p.live_dataset WHERE p.id = 1';

/**
 * A dataset's cache tag: its id, then its creation time when known (`datasets.created_at`, read
 * as if UTC, in ms, base 36): unique enough to tell apart two datasets of the same id.
 */
export function datasetTag(id: number, createdAt: unknown): string {
  const ms = typeof createdAt === 'string' ? Date.parse(`${createdAt.replace(' ', 'T')}Z`) : Number.NaN;
  return Number.isFinite(ms) ? `${id}-${ms.toString(36)}` : String(id);
}

/** The pointer row as POINTER_SQL reads it (DATETIME as text, as the driver and mysql2's dateStrings give it). */
export function liveDatasetOf(row: Record<string, unknown> | undefined): LiveDataset {
  const generation = row ? Number(row.generation ?? 0) : 0;
  // No row, or no dataset made live yet: nothing to serve.
  if (row?.live_dataset == null) return { id: null, generation, tag: null };
  const id = Number(row.live_dataset);
  return { id, generation, tag: datasetTag(id, row.created_at) };
}

/** Total of a filter: one primary-key lookup in the page index (built by the ETL). */
export function countStatement(dataset: number, filter: RecordFilter): Statement {
  return {
    sql: 'SELECT total FROM record_counts WHERE dataset_id = ? AND filter_key = ?',
    args: [dataset, filterKey(filter)],
  };
}

/** Above every record id (INT UNSIGNED): the bound of a page past the last anchor. */
const NO_ID = 4294967295;

/**
 * One page at any depth, in one statement: the anchors at or before the offset and two further on
 * (primary-key lookups in record_pages) bound the ids the page lies in, so the database reads
 * at most 2 × ANCHOR_EVERY matching records whatever the depth. Unfiltered, that is a range of
 * the primary key; filtered, a set of ranges of the filter index (one per combination of values
 * the filter allows) sorted by id, whose page of ids then fetches its rows (deferred join). The
 * index is named here, not left to the optimizer, which would otherwise walk the primary key and
 * filter.
 */
export function pageStatement(dataset: number, filter: RecordFilter, offset: number, limit: number): Statement {
  const anchor = Math.floor(offset / ANCHOR_EVERY);
  const key = filterKey(filter);
  const bounds = `id >= (SELECT id FROM record_pages WHERE dataset_id = ? AND filter_key = ? AND anchor = ?)
      AND id < COALESCE((SELECT id FROM record_pages WHERE dataset_id = ? AND filter_key = ? AND anchor = ?), ${NO_ID})`;
  const boundArgs = [dataset, key, anchor, dataset, key, anchor + 2];
  const page = [offset - anchor * ANCHOR_EVERY, limit];
  if (filter.ageGroup === undefined && filter.gender === undefined && filter.riskGroup === undefined) {
    return {
      sql: `SELECT ${SUMMARY_COLUMNS} FROM health_records FORCE INDEX (PRIMARY)
      WHERE dataset_id = ? AND ${bounds} AND invalid_flag = 0
      ORDER BY id LIMIT ?, ?`,
      args: [dataset, ...boundArgs, ...page],
    };
  }
  const f = filterConditions(filter);
  return {
    sql: `SELECT ${SUMMARY_COLUMNS} FROM health_records
      JOIN (SELECT id AS page_id FROM health_records FORCE INDEX (idx_valid_filters)
            WHERE dataset_id = ? AND invalid_flag = 0 AND ${f.sql} AND ${bounds}
            ORDER BY id LIMIT ?, ?) page ON health_records.dataset_id = ? AND health_records.id = page.page_id
      ORDER BY id`,
    args: [dataset, ...f.args, ...boundArgs, ...page, dataset],
  };
}

export function recordStatement(dataset: number, id: number): Statement {
  return {
    sql: `SELECT ${RECORD_COLUMNS} FROM health_records WHERE dataset_id = ? AND id = ? AND invalid_flag = 0`,
    args: [dataset, id],
  };
}

export function summaryStatement(dataset: number): Statement {
  return { sql: 'SELECT total_records, valid_records, invalid_records FROM datasets WHERE id = ?', args: [dataset] };
}

/** Read in primary-key order: an index walk of ≤ 42 rows of one dataset, never a table scan. */
export function aggregatesStatement(dataset: number): Statement {
  return {
    sql: 'SELECT age_group_code, risk_group, records, risk_factor_sum FROM agg_age_risk FORCE INDEX (PRIMARY) WHERE dataset_id = ? ORDER BY age_group_code, risk_group',
    args: [dataset],
  };
}

/** DECIMAL and BIGINT arrive as strings (database-js cast.ts); the API wants numbers. */
function toRecordRow<T extends RecordSummaryRow>(r: Record<string, unknown>): T {
  return { ...(r as unknown as T), bmi: Number(r.bmi), id: Number(r.id) };
}

export function createPlanetScaleStore(opts: PlanetScaleStoreOptions): Store {
  const baseFetch = opts.fetch ?? fetch;
  const client = new Client({
    url: opts.url,
    // Bound each HTTP call: a slow or hung database must not hold a request open.
    fetch: (input, init) => baseFetch(input, { ...init, signal: AbortSignal.timeout(opts.timeoutMs) }),
  });

  async function query(sql: string, args: unknown[] = []): Promise<Record<string, unknown>[]> {
    const t0 = Date.now();
    let failed = false;
    try {
      const res = await client.execute(sql, args);
      return res.rows as Record<string, unknown>[];
    } catch (err) {
      failed = true;
      throw toDependencyError(err);
    } finally {
      opts.onQuery?.(sql, Date.now() - t0, failed);
    }
  }

  return {
    async liveDataset(): Promise<LiveDataset> {
      return liveDatasetOf((await query(POINTER_SQL))[0]);
    },
    async countRecords(dataset, filter) {
      const st = countStatement(dataset, filter);
      const rows = await query(st.sql, st.args);
      return Number(rows[0]?.total ?? 0);
    },
    async listRecords(dataset, filter, offset, limit) {
      const st = pageStatement(dataset, filter, offset, limit);
      return (await query(st.sql, st.args)).map((r) => toRecordRow<RecordSummaryRow>(r));
    },
    async getRecord(dataset, id) {
      const st = recordStatement(dataset, id);
      const rows = await query(st.sql, st.args);
      return rows[0] ? toRecordRow<RecordRow>(rows[0]) : null;
    },
    async summary(dataset): Promise<DatasetSummary> {
      const st = summaryStatement(dataset);
      const r = (await query(st.sql, st.args))[0];
      return r
        ? { total: Number(r.total_records), valid: Number(r.valid_records), invalid: Number(r.invalid_records) }
        : { total: 0, valid: 0, invalid: 0 };
    },
    async aggregates(dataset): Promise<AggRow[]> {
      const st = aggregatesStatement(dataset);
      const rows = await query(st.sql, st.args);
      return rows.map((r) => ({
        ageGroup: Number(r.age_group_code),
        riskGroup: r.risk_group as RiskGroup,
        records: Number(r.records),
        riskFactorSum: Number(r.risk_factor_sum),
      }));
    },
    async ping() {
      await query('SELECT 1 AS ok');
    },
  };
}

/**
 * Vitess's transient errors: a failover, a full transaction pool, a deadline, a killed
 * transaction. PlanetScale answers them inside an HTTP 200 reply as SQL errors, which database-js
 * raises as DatabaseError with status 400 and the vtrpc code in `body.code` (database-js
 * src/index.ts execute; vtrpc codes: vitess go/vt/proto/vtrpc). The statement did not run; a
 * retry later may succeed.
 */
const TRANSIENT_CODES = new Set(['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'ABORTED']);

/**
 * database-js throws DatabaseError with status 400 when the database answered the statement with
 * an error, and DatabaseError with the HTTP status (or its UnknownError subclass) when the
 * edge/network failed (database-js src/index.ts postJSON). A transient Vitess code or a failed
 * edge is an outage (503); any other SQL error is our bug (500). "Row count exceeded" is
 * RESOURCE_EXHAUSTED too, but the same statement would fail again: a bug.
 */
function toDependencyError(err: unknown): DependencyError {
  if (err instanceof DatabaseError) {
    const message = `${err.message}`.slice(0, 500);
    const code = (err.body as { code?: unknown } | undefined)?.code;
    if (err.status !== 400) return new DependencyError('database', message, 'bad_response');
    if (typeof code === 'string' && TRANSIENT_CODES.has(code) && !/row count exceeded/i.test(message)) {
      return new DependencyError('database', message, 'unavailable', code);
    }
    return new DependencyError('database', message, 'query', typeof code === 'string' ? code : undefined);
  }
  const e = err as Error;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return new DependencyError('database', 'database timed out', 'timeout');
  if (e instanceof SyntaxError)
    return new DependencyError('database', 'database sent a malformed response', 'bad_response');
  return new DependencyError(
    'database',
    `database unreachable: ${e?.message ?? String(err)}`.slice(0, 500),
    'unreachable',
  );
}
