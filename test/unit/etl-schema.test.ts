// The schema files and the ETL's column list agree, and the files hold only what a PlanetScale
// deploy request applies (tables and their indexes; no data, no foreign keys, no routines).
import { describe, expect, it } from 'vitest';
import { RECORD_COLUMNS } from '../../etl/schema/columns.ts';
import { schemaColumns, schemaStatements, schemaTables } from '../../etl/schema/files.ts';

describe('schema files', () => {
  it('declare health_records with exactly the columns the ETL writes, in its order', () => {
    expect(schemaColumns('health_records')).toEqual([...RECORD_COLUMNS]);
  });

  it('hold every table the API and the ETL use', () => {
    expect(schemaTables()).toEqual([
      'health_records',
      'datasets',
      'dataset_pointer',
      'agg_age_risk',
      'record_counts',
      'record_pages',
      'dataset_files',
      'etl_runs',
      'etl_lock',
    ]);
  });

  it('are CREATE TABLE statements only, without foreign keys', () => {
    for (const s of schemaStatements()) {
      expect(s).toMatch(/^CREATE TABLE IF NOT EXISTS \w+ \(/);
      expect(s).not.toMatch(/FOREIGN KEY|REFERENCES/i);
    }
  });
});
