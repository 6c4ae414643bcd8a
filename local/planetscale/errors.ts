// Error shapes of the PlanetScale HTTP API: SQL errors (HTTP 200, Vitess vtrpc code + MySQL text) and
// transport errors (non-2xx, always a JSON `{"error": {...}}` body so database-js raises DatabaseError).

/** Vitess vtrpc codes as protobuf-JSON enum names. */
export type VtrpcCode =
  | 'UNKNOWN'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'ABORTED'
  | 'UNIMPLEMENTED'
  | 'UNAVAILABLE';

/** The `error` object of an Execute reply. */
export interface VtError {
  code: VtrpcCode;
  message: string;
}

const group = (code: VtrpcCode, errnos: number[]): Array<[number, VtrpcCode]> => errnos.map((n) => [n, code]);

// Vitess go/vt/vttablet/tabletserver/tabletserver.go `convertErrorCode` (errno values from go/mysql/constants.go).
// 1264 (ER_WARN_DATA_OUT_OF_RANGE, what MariaDB raises for out-of-range values in strict mode) is added to
// INVALID_ARGUMENT next to Vitess's 1690 (docs/protocols.md#sql-errors-and-vtrpc-codes).
const ERRNO_CODES: ReadonlyMap<number, VtrpcCode> = new Map([
  ...group('UNIMPLEMENTED', [1235]),
  ...group('RESOURCE_EXHAUSTED', [1021, 1037, 1038, 1040, 1041, 1114, 1129, 1135, 1151, 1153, 1203, 1206, 1226, 10001]),
  ...group('DEADLINE_EXCEEDED', [1205, 2013]),
  ...group('UNAVAILABLE', [1053, 2006]),
  ...group('NOT_FOUND', [1029, 1032, 1054, 1094, 1109, 1122, 1141, 1146, 1147, 1176]),
  ...group('PERMISSION_DENIED', [1044, 1045, 1095, 1211, 1227]),
  ...group(
    'FAILED_PRECONDITION',
    [
      1046, 1082, 1091, 1099, 1100, 1104, 1148, 1162, 1165, 1169, 1173, 1179, 1207, 1215, 1216, 1217, 1223, 1230, 1241,
      1242, 1288, 1289, 1291, 1451, 1452,
    ],
  ),
  ...group('ALREADY_EXISTS', [1050, 1062, 1086, 1125]),
  ...group('ABORTED', [1078, 1080, 1152, 1213]),
  ...group(
    'INVALID_ARGUMENT',
    [
      1047, 1048, 1049, 1051, 1052, 1055, 1056, 1057, 1058, 1059, 1060, 1061, 1063, 1064, 1065, 1066, 1067, 1068, 1069,
      1070, 1071, 1072, 1073, 1074, 1075, 1083, 1084, 1085, 1089, 1090, 1093, 1096, 1097, 1101, 1102, 1103, 1106, 1107,
      1108, 1110, 1111, 1113, 1115, 1116, 1117, 1118, 1120, 1121, 1128, 1136, 1138, 1139, 1140, 1144, 1149, 1166, 1167,
      1170, 1171, 1172, 1193, 1204, 1210, 1221, 1222, 1225, 1228, 1229, 1231, 1232, 1233, 1234, 1238, 1239, 1240, 1245,
      1247, 1248, 1250, 1253, 1264, 1267, 1270, 1271, 1272, 1273, 1280, 1281, 1283, 1292, 1293, 1294, 1298, 1300, 1366,
      1406, 1690,
    ],
  ),
]);

/** Vitess errno for "Row count exceeded" (go/mysql/constants.go ERVitessMaxRowsExceeded). */
export const ER_VITESS_MAX_ROWS_EXCEEDED = 10001;

export function codeForErrno(errno: number, message = ''): VtrpcCode {
  // convertErrorCode special cases: 1290 only when read-only, 1227 is a failover when it says so.
  if (errno === 1290) return message.includes('read-only') ? 'FAILED_PRECONDITION' : 'UNKNOWN';
  if (errno === 1227 && message.includes('failover in progress')) return 'FAILED_PRECONDITION';
  return ERRNO_CODES.get(errno) ?? 'UNKNOWN';
}

/** Vitess go/mysql/sqlerror/sql_error.go `SQLError.Error`: `<text> (errno N) (sqlstate XXXXX)`. */
export function sqlError(message: string, errno: number, sqlState = 'HY000'): VtError {
  return { code: codeForErrno(errno, message), message: `${message} (errno ${errno}) (sqlstate ${sqlState})` };
}

/** The shape mysql2 gives server errors (packet.asError) and socket errors. */
interface Mysql2Error {
  message: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  code?: string;
  fatal?: boolean;
}

/** True when the error came from the server in an ERR packet (the connection is still usable). */
export function isServerError(err: unknown): boolean {
  const e = err as Mysql2Error;
  return typeof e?.sqlMessage === 'string' && typeof e.errno === 'number' && e.errno > 0 && !e.fatal;
}

/**
 * Any mysql2 failure as a Vitess error. Server errors keep their errno; lost or refused connections become
 * CR_SERVER_GONE (2006, UNAVAILABLE in convertErrorCode) so clients can tell "retry later" from "bad SQL".
 */
export function mysqlFailure(err: unknown): VtError {
  const e = err as Mysql2Error;
  if (typeof e?.sqlMessage === 'string' && typeof e.errno === 'number' && e.errno > 0) {
    return sqlError(e.sqlMessage, e.errno, e.sqlState || 'HY000');
  }
  const detail = e?.code ? `${e.message || e.code} (${e.code})` : String(e?.message ?? err);
  return sqlError(`MariaDB connection failed: ${detail}`, 2006);
}

/** A reply that is not an Execute result: auth, routing, body and session-contention failures. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

/** `{"error":{"code","message"}}`: database-js postJSON turns this into DatabaseError(message, status, error). */
export function httpErrorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** A request's JSON body, as the HTTP layer hands it on (Execute reads `query` and `session`). */
export interface RequestBody {
  query?: unknown;
  session?: unknown;
  [key: string]: unknown;
}
