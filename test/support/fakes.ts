// Small in-memory fakes of the Store and the cache, for in-process unit tests of the app.
import { classify, RULE_VERSION, smokingFromCode, type RiskGroup } from '../../src/risk/index.ts';
import type { AggRow, RecordFilter, RecordRow, Store } from '../../src/data/store.ts';
import type { KeyValueCache } from '../../src/data/cache.ts';

export function makeRows(n: number): RecordRow[] {
  const rows: RecordRow[] = [];
  for (let i = 1; i <= n; i++) {
    const m = {
      height: 150 + (i % 5) * 5, weight: 50 + (i % 7) * 5, systolicBp: 110 + (i % 40), diastolicBp: 70 + (i % 25),
      fastingGlucose: 80 + (i % 60), totalCholesterol: 160 + (i % 100), triglycerides: 80 + (i % 160),
      hdlCholesterol: 30 + (i % 40), smoking: smokingFromCode((i % 3) + 1)!,
    };
    const c = classify(m);
    rows.push({
      id: i, age_group_code: 5 + (i % 14), gender_code: (i % 2) + 1, height: m.height, weight: m.weight, bmi: c.bmi,
      systolic_bp: m.systolicBp, diastolic_bp: m.diastolicBp, fasting_glucose: m.fastingGlucose,
      total_cholesterol: m.totalCholesterol, triglycerides: m.triglycerides, hdl_cholesterol: m.hdlCholesterol,
      smoking_status: (i % 3) + 1,
      flag_hypertension: +c.flags.hypertension, flag_diabetes: +c.flags.diabetes, flag_high_tc: +c.flags.highTc,
      flag_high_tg: +c.flags.highTg, flag_low_hdl: +c.flags.lowHdl, flag_obesity: +c.flags.obesity, flag_smoking: +c.flags.smoking,
      risk_factor_count: c.riskFactorCount, risk_group: c.riskGroup, rule_version: RULE_VERSION, created_at: '2026-02-17 10:30:00',
    });
  }
  return rows;
}

export interface FakeStore extends Store {
  calls: Record<string, number>;
  down: boolean;
  delayMs: number;
}

export function fakeStore(rows: RecordRow[] = makeRows(500), invalid = 250): FakeStore {
  const match = (f: RecordFilter) => (r: RecordRow) =>
    (f.ageGroup === undefined || r.age_group_code === f.ageGroup) &&
    (f.gender === undefined || r.gender_code === f.gender) &&
    (f.riskGroup === undefined || r.risk_group === f.riskGroup);
  const store: FakeStore = {
    calls: {},
    down: false,
    delayMs: 0,
    async countRecords(f) {
      await tick('countRecords');
      return rows.filter(match(f)).length;
    },
    async listRecords(f, offset, limit) {
      await tick('listRecords');
      return rows.filter(match(f)).slice(offset, offset + limit);
    },
    async getRecord(id) {
      await tick('getRecord');
      return rows.find((r) => r.id === id) ?? null;
    },
    async summary() {
      await tick('summary');
      return { total: rows.length + invalid, valid: rows.length, invalid };
    },
    async aggregates() {
      await tick('aggregates');
      const m = new Map<string, AggRow>();
      for (const r of rows) {
        const k = `${r.age_group_code}:${r.risk_group}`;
        const e = m.get(k) ?? { ageGroup: r.age_group_code, riskGroup: r.risk_group as RiskGroup, records: 0, riskFactorSum: 0 };
        e.records++;
        e.riskFactorSum += r.risk_factor_count;
        m.set(k, e);
      }
      return [...m.values()];
    },
    async ping() {
      await tick('ping');
    },
  };
  async function tick(name: string) {
    store.calls[name] = (store.calls[name] ?? 0) + 1;
    if (store.delayMs) await new Promise((r) => setTimeout(r, store.delayMs));
    if (store.down) {
      const { DependencyError } = await import('../../src/http/errors.ts');
      throw new DependencyError('database', 'database unreachable', 'unreachable');
    }
  }
  return store;
}

export interface FakeCache extends KeyValueCache {
  data: Map<string, string>;
  calls: Record<string, number>;
  down: boolean;
}

export function fakeCache(): FakeCache {
  const cache: FakeCache = {
    data: new Map(),
    calls: {},
    down: false,
    async get(key) {
      count('get');
      return cache.data.get(key) ?? null;
    },
    async set(key, value) {
      count('set');
      cache.data.set(key, value);
    },
    async del(keys) {
      count('del');
      for (const k of keys) cache.data.delete(k);
    },
    async ping() {
      count('ping');
    },
  };
  function count(name: string) {
    cache.calls[name] = (cache.calls[name] ?? 0) + 1;
    if (cache.down) throw new Error('cache down');
  }
  return cache;
}
