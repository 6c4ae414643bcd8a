// The errors PlanetScale (Vitess) answers for what it refuses, for its system limits and for transient faults,
// with the text, vtrpc code and MySQL errno/sqlstate each source shows. All go out in a 200 Execute reply.
import type { VtError, VtrpcCode } from './errors.ts';

/** Why a statement failed without MariaDB's say: one name per rule, for the statement log and tests. */
export type RuleName =
  | 'load-data'
  | 'create-database'
  | 'stored-routine'
  | 'foreign-key'
  | 'locking-function'
  | 'lock-tables'
  | 'set-global'
  | 'unknown-variable'
  | 'read-only-variable'
  | 'unsupported-variable'
  | 'charset'
  | 'syntax'
  | 'direct-ddl'
  | 'read-only-role'
  | 'max-rows'
  | 'max-dml-rows'
  | 'dml-timeout'
  | 'transaction-timeout'
  | 'max-result-bytes'
  | 'fault';

/** Vitess go/mysql/sqlerror/sql_error.go `SQLError.Error`: `<text> (errno N) (sqlstate XXXXX)`. */
export function vtError(code: VtrpcCode, text: string, errno: number, sqlState: string): VtError {
  return { code, message: `${text} (errno ${errno}) (sqlstate ${sqlState})` };
}

// A vterrors error without a MySQL state reaches the client through mapToSQLErrorFromErrorCode
// (go/mysql/sqlerror/sql_error.go): UNIMPLEMENTED → 1235/42000, ABORTED and DEADLINE_EXCEEDED → 1317/70100,
// RESOURCE_EXHAUSTED → 1203/42000, anything else → 1105/HY000.
const unimplemented = (text: string) => vtError('UNIMPLEMENTED', `VT12001: unsupported: ${text}`, 1235, '42000');

export const refusals = {
  /** https://planetscale.com/docs/reference/mysql-compatibility: "Loading data via LOAD DATA INFILE is not supported". */
  loadData: () => vtError('UNIMPLEMENTED', 'Loading data via LOAD DATA INFILE is not supported', 1235, '42000'),
  /** Vitess go/vt/vtgate/engine/dbddl.go failDBDDL, as PlanetScale answers: "VT12001: unsupported: create database by failDBDDL". */
  database: (verb: 'create' | 'drop') => unimplemented(`${verb} database by failDBDDL`),
  /** mysql-compatibility: PROCEDURE/FUNCTION/TRIGGER/EVENT "We do not support any form of stored routines". */
  storedRoutine: (what: string) => unimplemented(`${what}: PlanetScale does not support stored routines`),
  /** Vitess go/vt/vterrors/code.go VT10001 (ABORTED, no state → 1317/70100, as Prisma sees it on Vitess). */
  foreignKey: () => vtError('ABORTED', 'VT10001: foreign key constraints are not allowed', 1317, '70100'),
  /** Named locks need a reserved connection; the HTTP API holds none across requests (vitessio/vitess#3631). */
  lockingFunction: (name: string) =>
    unimplemented(`${name.toLowerCase()}() is disallowed: named locks do not outlive one HTTP request`),
  /** LOCK TABLES is not forwarded by vtgate (vitessio/vitess#7139); the HTTP API keeps no connection to hold it. */
  lockTables: (what: string) => unimplemented(`${what}`),
  /** go/vt/vtgate/planbuilder/set.go (GlobalScope); mysql-compatibility: "SET GLOBAL time_zone ❌ ... can not be modified". */
  setGlobal: (name: string) => unimplemented(`system setting: ${name}`),
  /** VT05006 (NOT_FOUND, state UnknownSystemVariable → 1193/HY000); Vitess quotes the whole `@@name = value`. */
  unknownVariable: (expr: string) => vtError('NOT_FOUND', `VT05006: unknown system variable '${expr}'`, 1193, 'HY000'),
  /** VT03010 (INVALID_ARGUMENT, state IncorrectGlobalLocalVar → 1238/HY000). */
  readOnlyVariable: (name: string) =>
    vtError('INVALID_ARGUMENT', `VT03010: variable '${name}' is a read only variable`, 1238, 'HY000'),
  /** go/vt/vtgate/planbuilder/set.go buildNotSupported. */
  unsupportedVariable: (name: string) => unimplemented(`system setting: ${name}`),
  /** Vitess go/vt/vtgate/executor_set_test.go: `set names ascii` → "charset/name ascii is not supported". */
  charset: (name: string) => vtError('UNKNOWN', `charset/name ${name} is not supported`, 1105, 'HY000'),
  /** A MySQL 8 syntax error, e.g. MariaDB's `SET STATEMENT ... FOR`, which PlanetScale's MySQL does not have. */
  syntax: (position: number, near: string) =>
    vtError('INVALID_ARGUMENT', `syntax error at position ${position} near '${near}'`, 1064, '42000'),
  /**
   * Safe migrations on: https://planetscale.com/docs/concepts/safe-migrations "Data Definition Language (DDL)
   * statements issued to production branches with safe migrations enabled will automatically be rejected", with
   * Vitess's ErrDirectDDLDisabled (go/vt/schema/online_ddl.go), "ERROR 1105 (HY000): direct DDL is disabled" in
   * PlanetScale's Prisma guide, the exact text Prisma's P3022 matches.
   */
  directDdl: () => vtError('UNKNOWN', 'direct DDL is disabled', 1105, 'HY000'),
  /**
   * A statement that writes, sent with a password of PlanetScale's "reader" role ("Can Read": pscale
   * password create --role reader). The text follows Vitess's table ACL denial (go/vt/vttablet/
   * tabletserver/query_executor.go checkPermissions: "table acl error: %q %v cannot run %v on table %q");
   * the table is left out here, as the gateway does not parse it.
   */
  readOnlyRole: (user: string, verb: string) =>
    vtError('PERMISSION_DENIED', `table acl error: ${JSON.stringify(user)} [] cannot run ${verb}`, 1045, '28000'),
};

export const limitErrors = {
  /**
   * https://planetscale.com/docs/vitess/troubleshooting/errors: "vttablet: rpc error: code = Aborted desc = Row
   * count exceeded 100000", "the 100k limit for number of rows returned, updated, or deleted"; errno 10001 as in
   * Vitess's insights tests ("code = Aborted desc = Row count exceeded 10000 (errno 10001) (sqlstate HY000)").
   */
  dmlRows: (max: number) => vtError('ABORTED', `Row count exceeded ${max}`, 10001, 'HY000'),
  /** errors page: "vttablet: (errno 2013) due to context deadline exceeded, elapsed time: ..."; 1317/70100 on the wire. */
  dmlTimeout: (elapsedMs: number, queryId: string, user: string) =>
    vtError(
      'DEADLINE_EXCEEDED',
      `(errno 2013) due to context deadline exceeded, elapsed time: ${(elapsedMs / 1000).toFixed(6)}s, ` +
        `killing query ID ${queryId} (CallerID: ${user})`,
      1317,
      '70100',
    ),
  /** errors page: "SQL Error [1105] [HY000]: ... code = Aborted desc = transaction ... (exceeded timeout: 20s)". */
  transactionKilled: (txId: string, endedAt: Date, timeoutMs: number) =>
    vtError(
      'ABORTED',
      `transaction ${txId}: ended at ${endedAt.toISOString().replace('T', ' ').replace('Z', '')} UTC ` +
        `(exceeded timeout: ${seconds(timeoutMs)})`,
      1105,
      'HY000',
    ),
  /**
   * "Per-query result set total size 64 MiB" (planetscale-system-limits) is vttablet's gRPC message cap; Vitess
   * demuxResourceExhaustedErrors turns "grpc: trying to send message larger than max" into 1153 (ER_NET_PACKET_TOO_LARGE).
   */
  resultBytes: (bytes: number, max: number) =>
    vtError('RESOURCE_EXHAUSTED', `grpc: trying to send message larger than max (${bytes} vs. ${max})`, 1153, '08S01'),
};

/** Go's time.Duration String for whole and fractional seconds / milliseconds: 20s, 1.5s, 500ms. */
function seconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
}

/** The vtrpc codes the fault injector can answer with (transient: a client may retry). */
export type TransientCode = 'UNAVAILABLE' | 'RESOURCE_EXHAUSTED' | 'DEADLINE_EXCEEDED' | 'ABORTED';

/** Realistic Vitess messages for injected faults; the target is `<database>.-.primary` as PlanetScale names it. */
export function transientError(code: TransientCode, database: string, user: string): VtError {
  const target = `target: ${database}.-.primary`;
  switch (code) {
    // Vitess go/vt/vtgate/tabletgateway.go withRetry: no tablet to serve the target (failover, restart).
    case 'UNAVAILABLE':
      return vtError(
        code,
        `${target}: no healthy tablet available for 'keyspace:"${database}" shard:"-" tablet_type:PRIMARY'`,
        1105,
        'HY000',
      );
    // planetscale-system-limits: "vttablet: rpc error: code = ResourceExhausted desc = transaction pool connection limit exceeded".
    case 'RESOURCE_EXHAUSTED':
      return vtError(
        code,
        `${target}: vttablet: rpc error: code = ResourceExhausted desc = transaction pool connection limit exceeded`,
        1203,
        '42000',
      );
    // errors page: "vttablet: (errno 2013) due to context deadline exceeded, elapsed time: ...".
    case 'DEADLINE_EXCEEDED':
      return vtError(
        code,
        `${target}: vttablet: rpc error: code = DeadlineExceeded desc = (errno 2013) due to context deadline ` +
          `exceeded, elapsed time: 30.000812s, killing query ID 4242 (CallerID: ${user})`,
        1317,
        '70100',
      );
    // A transaction the tablet's tx killer took away (PlanetScale's 20 s transaction limit, Vitess tx_pool.go).
    case 'ABORTED':
      return vtError(
        code,
        `${target}: vttablet: rpc error: code = Aborted desc = transaction 1719000000000000001: in use: ` +
          `for tx killer rollback (CallerID: ${user})`,
        1317,
        '70100',
      );
  }
}

/** A statement the gateway answers itself: the rule that refused it and the error it replies with. */
export interface Refusal {
  rule: RuleName;
  error: VtError;
}
