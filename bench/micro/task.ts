// What a micro-benchmark suite hands the runner: named functions and how many units one call
// processes (1 for a single record, 10,000 for a batch), so results read as per-unit rates too.
export interface MicroTask {
  /** Stable id, e.g. "rules.classify". */
  id: string;
  /** Shown in the report. */
  label: string;
  group: 'rules' | 'validation' | 'serialisation' | 'cache' | 'csv';
  fn: () => unknown;
  /** Units of work per call, and their plural name ("rows", "bodies"). */
  unitsPerCall: number;
  unit: string;
}
