// Shapes the pre-aggregated tables into the /stats bodies (docs/api.md#get-statsrisk-and-get-statsage). Pure.
import { RISK_GROUPS, ageDisplay, type RiskGroup } from '../risk/index.ts';
import type { AggRow, DatasetSummary } from './store.ts';

const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);
const oneDecimal = (x: number) => Math.round(x * 10) / 10;

export interface RiskStatsBody {
  risk_distribution: Record<RiskGroup, { count: number; percentage: number }>;
  total_records: number;
  valid_records: number;
  invalid_records: number;
}

export function riskStatsBody(summary: DatasetSummary, agg: readonly AggRow[]): RiskStatsBody {
  const counts = Object.fromEntries(RISK_GROUPS.map((g) => [g, 0])) as Record<RiskGroup, number>;
  for (const row of agg) counts[row.riskGroup] += row.records;
  const risk_distribution = Object.fromEntries(
    RISK_GROUPS.map((g) => [g, { count: counts[g], percentage: pct(counts[g], summary.valid) }]),
  ) as RiskStatsBody['risk_distribution'];
  return {
    risk_distribution,
    total_records: summary.total,
    valid_records: summary.valid,
    invalid_records: summary.invalid,
  };
}

export interface AgeStatsEntry {
  age_group: number;
  age_display: string;
  count: number;
  percentage: number;
  avg_risk_factor_count: number;
  high_risk_count: number;
}

export interface AgeStatsBody {
  age_distribution: AgeStatsEntry[];
  total_records: number;
}

export function ageStatsBody(agg: readonly AggRow[]): AgeStatsBody {
  const byAge = new Map<number, { count: number; sum: number; high: number }>();
  for (const row of agg) {
    const e = byAge.get(row.ageGroup) ?? { count: 0, sum: 0, high: 0 };
    e.count += row.records;
    e.sum += row.riskFactorSum;
    if (row.riskGroup === 'CHD_RISK_EQUIVALENT') e.high += row.records;
    byAge.set(row.ageGroup, e);
  }
  const total = [...byAge.values()].reduce((s, e) => s + e.count, 0);
  const age_distribution = [...byAge.entries()]
    .filter(([, e]) => e.count > 0)
    .sort(([a], [b]) => a - b)
    .map(([age, e]) => ({
      age_group: age,
      age_display: ageDisplay(age),
      count: e.count,
      percentage: pct(e.count, total),
      avg_risk_factor_count: oneDecimal(e.sum / e.count),
      high_risk_count: e.high,
    }));
  return { age_distribution, total_records: total };
}
