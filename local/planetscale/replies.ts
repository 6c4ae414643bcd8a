// The bodies of Execute replies (psdb.v1alpha1 ExecuteResponse in protobuf-JSON): a result or a Vitess error,
// always with the session, and the gateway's time in seconds.
import type { VtError } from './errors.ts';
import type { QueryOutcome } from './mysql-backend.ts';
import type { SessionTokens } from './session-token.ts';

export interface ReplySession {
  id: string;
  inTransaction: boolean;
}

export function resultReply(tokens: SessionTokens, session: ReplySession, result: string, started: number): string {
  const token = JSON.stringify(tokens.token(session.id, session.inTransaction));
  return `{"session":${token},"result":${result},"timing":${elapsedSeconds(started)}}`;
}

export function errorReply(tokens: SessionTokens, session: ReplySession, error: VtError, started: number): string {
  const token = JSON.stringify(tokens.token(session.id, session.inTransaction));
  return `{"session":${token},"error":${JSON.stringify(error)},"timing":${elapsedSeconds(started)}}`;
}

/** psdb ExecuteResponse.timing is seconds as a double; database-js reports `time = timing * 1000`. */
function elapsedSeconds(started: number): number {
  return Math.max(performance.now() - started, 0) / 1000;
}

/**
 * `query.QueryResult` in protobuf-JSON. A result set sends `fields` and, when there are rows, `rows`; an OK
 * packet sends `rowsAffected` / `insertId` as decimal strings and only when non-zero (uint64 → string,
 * zero omitted), so e.g. BEGIN replies with `{}`.
 */
export function resultJson(outcome: QueryOutcome): string {
  if (outcome.kind === 'rows') {
    return outcome.rows.length > 0
      ? `{"fields":${outcome.fields},"rows":[${outcome.rows.join(',')}]}`
      : `{"fields":${outcome.fields}}`;
  }
  const parts: string[] = [];
  if (outcome.affectedRows !== '0') parts.push(`"rowsAffected":"${outcome.affectedRows}"`);
  if (outcome.insertId !== '0') parts.push(`"insertId":"${outcome.insertId}"`);
  return `{${parts.join(',')}}`;
}
