// Conformance: injected Vitess transient errors and held statements, through the gateway's API and its HTTP
// admin endpoint, as the official driver sees them (a 200 reply carrying the error, so a DatabaseError).
// Messages: https://planetscale.com/docs/vitess/troubleshooting/errors and
// https://planetscale.com/docs/reference/planetscale-system-limits ("transaction pool connection limit exceeded").
import { DatabaseError, connect } from '@planetscale/database';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mysqlTarget } from '../../local/config.ts';
import { startPlanetScaleGateway } from '../../local/planetscale-gateway.ts';
import type { RunningGateway } from '../../local/planetscale-gateway.ts';

const DB = 'nhis_conformance_faults';
const USER = 'faults';
const PASSWORD = 'faults-pass';
const AUTH = `Basic ${btoa(`${USER}:${PASSWORD}`)}`;

let gateway: RunningGateway;

beforeAll(async () => {
  // The statements here need no tables: the gateway's default schema only has to exist.
  const admin = await (await import('mysql2/promise')).default.createConnection({ ...mysqlTarget() });
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${DB}`);
  await admin.end();
  gateway = await startPlanetScaleGateway({ mysql: mysqlTarget(), database: DB, username: USER, password: PASSWORD });
});

afterAll(async () => {
  await gateway?.close();
  const admin = await (await import('mysql2/promise')).default.createConnection({ ...mysqlTarget() });
  await admin.query(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.end();
});

afterEach(() => {
  gateway.faults.clear();
});

const run = (sql: string) => connect({ url: gateway.url }).execute(sql);
const outcome = (sql: string) =>
  run(sql).then(
    () => 'ok',
    (err: unknown) => (err instanceof DatabaseError ? (err.body.code as string) : String(err)),
  );

function admin(method: string, path: string, body?: unknown, auth: string | null = AUTH) {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (auth) headers.Authorization = auth;
  return fetch(`http://127.0.0.1:${gateway.port}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (res: Response): Promise<any> => res.json();

describe('fault injection', () => {
  it('fails the next N statements with the injected code, then serves normally again', async () => {
    gateway.faults.inject({ code: 'UNAVAILABLE', count: 2 });
    expect([await outcome('SELECT 1'), await outcome('SELECT 1'), await outcome('SELECT 1')]).toEqual([
      'UNAVAILABLE',
      'UNAVAILABLE',
      'ok',
    ]);
  });

  it('answers each transient code with a realistic Vitess message inside a 200 reply', async () => {
    const expected = {
      UNAVAILABLE:
        /^target: nhis_conformance_faults\.-\.primary: no healthy tablet available for .* \(errno 1105\) \(sqlstate HY000\)$/,
      RESOURCE_EXHAUSTED:
        /code = ResourceExhausted desc = transaction pool connection limit exceeded \(errno 1203\) \(sqlstate 42000\)$/,
      DEADLINE_EXCEEDED:
        /code = DeadlineExceeded desc = \(errno 2013\) due to context deadline exceeded, elapsed time: .*\(errno 1317\)/,
      ABORTED:
        /code = Aborted desc = transaction \d+: in use: for tx killer rollback .*\(errno 1317\) \(sqlstate 70100\)$/,
    } as const;
    for (const [code, message] of Object.entries(expected)) {
      gateway.faults.inject({ code: code as keyof typeof expected });
      const res = await admin('POST', '/psdb.v1alpha1.Database/Execute', { query: 'SELECT 1', session: null });
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(message);
      expect(body.session.vitessSession.SessionUUID).toEqual(expect.any(String));
    }
  });

  it('affects only statements matching `match`, and every one while `durationMs` lasts', async () => {
    gateway.faults.inject({ code: 'RESOURCE_EXHAUSTED', match: /^\s*SELECT 2/i, durationMs: 1000 });
    expect([await outcome('SELECT 1'), await outcome('select 2'), await outcome('SELECT 2')]).toEqual([
      'ok',
      'RESOURCE_EXHAUSTED',
      'RESOURCE_EXHAUSTED',
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1050));
    expect(await outcome('SELECT 2')).toBe('ok');
  });

  it('holds matching statements for delayMs (a query in flight), leaving others alone', async () => {
    gateway.faults.inject({ delayMs: 400, match: 'SLOW_MARKER', count: 1 });
    const fast = performance.now();
    await run('SELECT 1');
    expect(performance.now() - fast).toBeLessThan(390);
    const slow = performance.now();
    expect((await run("SELECT 'SLOW_MARKER' AS m")).rows).toEqual([{ m: 'SLOW_MARKER' }]);
    expect(performance.now() - slow).toBeGreaterThanOrEqual(390);
  });

  it('takes faults over HTTP at POST /__gateway/faults behind the same Basic auth', async () => {
    expect((await admin('POST', '/__gateway/faults', { code: 'ABORTED', count: 1 }, null)).status).toBe(401);
    const posted = await admin('POST', '/__gateway/faults', {
      code: 'ABORTED',
      count: 1,
      match: '^select 5',
      matchFlags: 'i',
    });
    expect(posted.status).toBe(200);
    expect((await json(posted)).fault).toMatchObject({ id: expect.any(Number), code: 'ABORTED', remaining: 1 });
    expect((await json(await admin('GET', '/__gateway/faults'))).faults).toHaveLength(1);
    expect(await outcome('SELECT 5')).toBe('ABORTED');
    await admin('POST', '/__gateway/faults', { code: 'UNAVAILABLE', durationMs: 10_000 });
    expect(await json(await admin('DELETE', '/__gateway/faults'))).toEqual({ cleared: 1 });
    expect(await outcome('SELECT 5')).toBe('ok');
    const bad = await admin('POST', '/__gateway/faults', { code: 'NOT_A_CODE' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe('invalid_argument');
    const stats = await json(await admin('GET', '/__gateway/stats'));
    expect(stats).toMatchObject({
      statements: expect.any(Number),
      refused: expect.any(Number),
      faultsApplied: expect.any(Number),
    });
  });

  it('keeps 404 for every other path, admin prefix included', async () => {
    for (const path of ['/__gateway/nope', '/', '/__gateway']) {
      const res = await admin('GET', path);
      expect(res.status, path).toBe(404);
      expect((await json(res)).error.code).toBe('not_found');
    }
    expect((await admin('PUT', '/__gateway/faults')).status).toBe(405);
  });
});
