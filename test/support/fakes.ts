// Small in-memory fakes of the Store (datasets side by side, a pointer row naming the live one)
// and the cache, for in-process unit tests of the app.
import { classify, RULE_VERSION, smokingFromCode, type RiskGroup } from '../../src/risk/index.ts';
import type { AggRow, LiveDataset, RecordFilter, RecordRow, Store } from '../../src/data/store.ts';
import type { KeyValueCache } from '../../src/data/cache.ts';

export function makeRows(n: number): RecordRow[] {
  const rows: RecordRow[] = [];
  for (let i = 1; i <= n; i++) {
    const m = {
      height: 150 + (i % 5) * 5,
      weight: 50 + (i % 7) * 5,
      systolicBp: 110 + (i % 40),
      diastolicBp: 70 + (i % 25),
      fastingGlucose: 80 + (i % 60),
      totalCholesterol: 160 + (i % 100),
      triglycerides: 80 + (i % 160),
      hdlCholesterol: 30 + (i % 40),
      smoking: smokingFromCode((i % 3) + 1)!,
    };
    const c = classify(m);
    rows.push({
      id: i,
      age_group_code: 5 + (i % 14),
      gender_code: (i % 2) + 1,
      height: m.height,
      weight: m.weight,
      bmi: c.bmi,
      systolic_bp: m.systolicBp,
      diastolic_bp: m.diastolicBp,
      fasting_glucose: m.fastingGlucose,
      total_cholesterol: m.totalCholesterol,
      triglycerides: m.triglycerides,
      hdl_cholesterol: m.hdlCholesterol,
      smoking_status: (i % 3) + 1,
      flag_hypertension: +c.flags.hypertension,
      flag_diabetes: +c.flags.diabetes,
      flag_high_tc: +c.flags.highTc,
      flag_high_tg: +c.flags.highTg,
      flag_low_hdl: +c.flags.lowHdl,
      flag_obesity: +c.flags.obesity,
      flag_smoking: +c.flags.smoking,
      risk_factor_count: c.riskFactorCount,
      risk_group: c.riskGroup,
      rule_version: RULE_VERSION,
      created_at: '2026-02-17 10:30:00',
    });
  }
  return rows;
}

interface FakeDataset {
  rows: RecordRow[];
  invalid: number;
}

export interface FakeStore extends Store {
  calls: Record<string, number>;
  /** The dataset id each dataset call asked for, in order. */
  datasetsRead: number[];
  datasets: Map<number, FakeDataset>;
  pointer: LiveDataset;
  down: boolean;
  delayMs: number;
  /** A complete dataset beside the others (not yet live). */
  addDataset(id: number, rows: RecordRow[], invalid?: number): void;
  /** What a load or a rollback does: one update of the pointer row. */
  flip(id: number | null): void;
}

/** Dataset 1, live (generation 1), holding `rows` valid and `invalid` invalid records. */
export function fakeStore(rows: RecordRow[] = makeRows(500), invalid = 250): FakeStore {
  const match = (f: RecordFilter) => (r: RecordRow) =>
    (f.ageGroup === undefined || r.age_group_code === f.ageGroup) &&
    (f.gender === undefined || r.gender_code === f.gender) &&
    (f.riskGroup === undefined || r.risk_group === f.riskGroup);
  // An id with no dataset reads as empty, as the tables would answer.
  const data = (id: number): FakeDataset => store.datasets.get(id) ?? { rows: [], invalid: 0 };
  const store: FakeStore = {
    calls: {},
    datasetsRead: [],
    datasets: new Map([[1, { rows, invalid }]]),
    pointer: { id: 1, generation: 1, tag: '1-fake' },
    down: false,
    delayMs: 0,
    addDataset(id, rows, invalid = 0) {
      store.datasets.set(id, { rows, invalid });
    },
    flip(id) {
      const generation = store.pointer.generation + 1;
      store.pointer = id === null ? { id, generation, tag: null } : { id, generation, tag: `${id}-fake` };
    },
    async liveDataset() {
      await tick('liveDataset');
      return { ...store.pointer };
    },
    async countRecords(d, f) {
      await tick('countRecords', d);
      return data(d).rows.filter(match(f)).length;
    },
    async listRecords(d, f, offset, limit) {
      await tick('listRecords', d);
      return data(d)
        .rows.filter(match(f))
        .slice(offset, offset + limit);
    },
    async getRecord(d, id) {
      await tick('getRecord', d);
      return data(d).rows.find((r) => r.id === id) ?? null;
    },
    async summary(d) {
      await tick('summary', d);
      const { rows, invalid } = data(d);
      return { total: rows.length + invalid, valid: rows.length, invalid };
    },
    async aggregates(d) {
      await tick('aggregates', d);
      const m = new Map<string, AggRow>();
      for (const r of data(d).rows) {
        const k = `${r.age_group_code}:${r.risk_group}`;
        const e = m.get(k) ?? {
          ageGroup: r.age_group_code,
          riskGroup: r.risk_group as RiskGroup,
          records: 0,
          riskFactorSum: 0,
        };
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
  async function tick(name: string, dataset?: number) {
    store.calls[name] = (store.calls[name] ?? 0) + 1;
    if (dataset !== undefined) store.datasetsRead.push(dataset);
    if (store.delayMs) await new Promise((r) => setTimeout(r, store.delayMs));
    if (store.down) {
      const { DependencyError } = await import('../../src/data/dependency-error.ts');
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
