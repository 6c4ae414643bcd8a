// The Prometheus text of GET /metrics, series by series, from a Metrics fed directly.
import { describe, expect, it } from 'vitest';
import { Metrics, normaliseSql } from '../../src/http/metrics.ts';

describe('Metrics', () => {
  it('renders database latency by normalised statement pattern, and logs slow ones', () => {
    const logs: Record<string, unknown>[] = [];
    const m = new Metrics({ warnMs: 50, criticalMs: 500 }, (e) => logs.push(e));
    m.query("SELECT id FROM health_records WHERE id >= 1200 AND gender_code = 'M' LIMIT 20", 3, false);
    m.query('SELECT  id FROM health_records WHERE id >= 7 AND gender_code = "M" LIMIT 20', 70, false);
    m.query('SELECT total FROM record_counts WHERE filter_key = ?', 900, true);
    const text = m.render();
    const pattern = 'SELECT id FROM health_records WHERE id >= ? AND gender_code = ? LIMIT ?';
    expect(normaliseSql("SELECT id FROM health_records WHERE id >= 1200 AND gender_code = 'M' LIMIT 20")).toBe(pattern);
    expect(text).toContain(`db_query_duration_seconds_count{pattern="${pattern}"} 1`);
    expect(text).toContain(
      'db_query_duration_seconds_count{pattern="SELECT id FROM health_records WHERE id >= ? AND gender_code = \\"M\\" LIMIT ?"} 1',
    );
    expect(text).toContain(
      'db_query_duration_seconds_bucket{pattern="SELECT total FROM record_counts WHERE filter_key = ?",le="1"} 1',
    );
    expect(text).toContain(
      'db_query_duration_seconds_bucket{pattern="SELECT total FROM record_counts WHERE filter_key = ?",le="0.5"} 0',
    );
    expect(text).toContain('errors_total{kind="database"} 1');
    expect(logs.map((l) => l.level)).toEqual(['warn', 'critical']);
  });

  it('counts Upstash commands by client, and per request answered', () => {
    const m = new Metrics();
    expect(m.render()).toContain('upstash_commands_per_request 0\n');
    for (let i = 0; i < 8; i++) m.request('/stats/risk', 'GET', 200, 1);
    m.upstashCommand('cache');
    m.upstashCommand('cache');
    m.upstashCommand('rate_limit');
    const text = m.render();
    expect(text).toContain('upstash_commands_total{client="cache"} 2');
    expect(text).toContain('upstash_commands_total{client="rate_limit"} 1');
    expect(text).toContain('upstash_commands_per_request 0.375\n');
  });

  it('renders every series family with HELP and TYPE lines, labels escaped', () => {
    const m = new Metrics();
    m.request('/records/:id', 'GET', 404, 4);
    m.cacheResult('stats:risk', 'HIT-L1');
    m.error('rate_limit_backend');
    const text = m.render();
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds',
      'cache_results_total',
      'db_query_duration_seconds',
      'errors_total',
    ]) {
      expect(text).toContain(`# HELP ${name} `);
      expect(text).toMatch(new RegExp(`# TYPE ${name} (counter|histogram)`));
    }
    expect(text).toContain('http_requests_total{route="/records/:id",method="GET",status="404"} 1');
    expect(text).toContain('http_request_duration_seconds_bucket{route="/records/:id",method="GET",le="0.005"} 1');
    expect(text).toContain('errors_total{kind="rate_limit_backend"} 1');
  });

  it('counts each route, method and status apart, and cache results by key family and tier', () => {
    const m = new Metrics();
    for (const [status, ms] of [
      [200, 1],
      [200, 7],
      [404, 30],
    ] as const)
      m.request('/stats/risk', 'GET', status, ms);
    m.request('/stats/risk', 'HEAD', 200, 1);
    m.cacheResult('stats:risk:v1', 'HIT-L1');
    m.cacheResult('stats:risk:v2', 'HIT-L1');
    m.cacheResult('stats:risk:v1', 'MISS');
    const text = m.render();
    expect(text).toContain('http_requests_total{route="/stats/risk",method="GET",status="200"} 2');
    expect(text).toContain('http_requests_total{route="/stats/risk",method="GET",status="404"} 1');
    expect(text).toContain('http_requests_total{route="/stats/risk",method="HEAD",status="200"} 1');
    expect(text).toContain('http_request_duration_seconds_count{route="/stats/risk",method="GET"} 3');
    expect(text).toContain('http_request_duration_seconds_bucket{route="/stats/risk",method="GET",le="0.01"} 2');
    expect(text).toContain('http_request_duration_seconds_sum{route="/stats/risk",method="GET"} 0.038');
    expect(text).toContain('cache_results_total{key="stats:risk",result="HIT-L1"} 2');
    expect(text).toContain('cache_results_total{key="stats:risk",result="MISS"} 1');
  });
});

describe('normaliseSql', () => {
  it('keeps what tells statements apart when the select list is long', () => {
    const cols = 'id, age_group_code, gender_code, height, weight, bmi, systolic_bp, diastolic_bp, fasting_glucose';
    const byId = normaliseSql(`SELECT ${cols} FROM health_records WHERE id = 42`);
    const page = normaliseSql(`SELECT ${cols} FROM health_records WHERE id >= 1201 ORDER BY id LIMIT 20`);
    expect(byId).toBe('SELECT id, … FROM health_records WHERE id = ?');
    expect(page).toBe('SELECT id, … FROM health_records WHERE id >= ? ORDER BY id LIMIT ?');
    expect(normaliseSql('SELECT total FROM record_counts WHERE filter_key = ?')).toBe(
      'SELECT total FROM record_counts WHERE filter_key = ?',
    );
    expect(normaliseSql('SELECT a, b FROM t')).toBe('SELECT a, b FROM t');
  });
});
