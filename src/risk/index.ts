// The rules engine and code book: pure, no I/O, imported by both the Worker and the ETL.
export * from './codebook.ts';
export * from './rules.ts';
export * from './validation.ts';
