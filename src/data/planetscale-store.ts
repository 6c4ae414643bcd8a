// The Store over PlanetScale's HTTP API (@planetscale/database). All SQL of the API is here.
// The only file that imports the driver.
import { Client, DatabaseError } from '@planetscale/database';
import { DependencyError } from '../http/errors.ts';
import type { AggRow, DatasetSummary, RecordFilter, RecordRow, Store } from './store.ts';
import type { RiskGroup } from '../risk/index.ts';

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

function where(filter: RecordFilter): { sql: string; args: unknown[] } {
  const parts = ['invalid_flag = 0'];
  const args: unknown[] = [];
  if (filter.ageGroup !== undefined) (parts.push('age_group_code = ?'), args.push(filter.ageGroup));
  if (filter.gender !== undefined) (parts.push('gender_code = ?'), args.push(filter.gender));
  if (filter.riskGroup !== undefined) (parts.push('risk_group = ?'), args.push(filter.riskGroup));
  return { sql: parts.join(' AND '), args };
}

/** DECIMAL and BIGINT arrive as strings (database-js cast.ts); the API wants numbers. */
function toRecordRow(r: Record<string, unknown>): RecordRow {
  return { ...(r as unknown as RecordRow), bmi: Number(r.bmi), id: Number(r.id) };
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
    async countRecords(filter) {
      const w = where(filter);
      const rows = await query(`SELECT COUNT(*) AS n FROM health_records WHERE ${w.sql}`, w.args);
      return Number(rows[0]?.n ?? 0);
    },
    async listRecords(filter, offset, limit) {
      const w = where(filter);
      // Deferred join: find the page's ids on the narrow secondary index, then fetch only those rows.
      const rows = await query(
        `SELECT ${RECORD_COLUMNS} FROM health_records
         JOIN (SELECT id AS page_id FROM health_records WHERE ${w.sql} ORDER BY id LIMIT ?, ?) page ON page.page_id = id
         ORDER BY id`,
        [...w.args, offset, limit],
      );
      return rows.map(toRecordRow);
    },
    async getRecord(id) {
      const rows = await query(`SELECT ${RECORD_COLUMNS} FROM health_records WHERE id = ? AND invalid_flag = 0`, [id]);
      return rows[0] ? toRecordRow(rows[0]) : null;
    },
    async summary(): Promise<DatasetSummary> {
      const rows = await query('SELECT total_records, valid_records, invalid_records FROM dataset_summary WHERE id = 1');
      const r = rows[0];
      return r
        ? { total: Number(r.total_records), valid: Number(r.valid_records), invalid: Number(r.invalid_records) }
        : { total: 0, valid: 0, invalid: 0 };
    },
    async aggregates(): Promise<AggRow[]> {
      const rows = await query('SELECT age_group_code, risk_group, records, risk_factor_sum FROM agg_age_risk ORDER BY age_group_code');
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
 * database-js throws DatabaseError with status 400 when the database rejected a statement, and
 * DatabaseError with the HTTP status (or its UnknownError subclass) when the edge/network failed
 * (database-js src/index.ts postJSON). Tell the two apart: the first is our bug (500), the
 * second an outage (503).
 */
function toDependencyError(err: unknown): DependencyError {
  if (err instanceof DatabaseError) {
    const kind = err.status === 400 ? 'query' : 'bad_response';
    return new DependencyError('database', `${err.message}`.slice(0, 500), kind);
  }
  const e = err as Error;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new DependencyError('database', 'database timed out', 'timeout');
  if (e instanceof SyntaxError) return new DependencyError('database', 'database sent a malformed response', 'bad_response');
  return new DependencyError('database', `database unreachable: ${e?.message ?? String(err)}`.slice(0, 500), 'unreachable');
}
