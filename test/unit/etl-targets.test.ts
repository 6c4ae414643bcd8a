// Where the ETL writes: MYSQL_URL's TLS rules (verified TLS off loopback, parameters honoured),
// DATABASE_URL's checks, and which failures are retried.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mysqlTarget } from '../../etl/targets/mysql-url.ts';
import { planetScaleTarget } from '../../etl/targets/planetscale.ts';
import { isTransient, withRetries } from '../../etl/targets/sql-client.ts';

const env = (MYSQL_URL: string, extra: Record<string, string> = {}) => ({ MYSQL_URL, ...extra }) as NodeJS.ProcessEnv;

describe('MYSQL_URL', () => {
  it('is plaintext on loopback, with the database from the path', () => {
    expect(mysqlTarget(env('mysql://root@127.0.0.1:3306/nhis'))).toEqual({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: '',
      database: 'nhis',
    });
  });

  it('verifies TLS by default for any other host, and honours ssl-ca', () => {
    const ca = join(mkdtempSync(join(tmpdir(), 'ca-')), 'ca.pem');
    writeFileSync(ca, 'CERT');
    expect(mysqlTarget(env('mysql://u:p%40ss@db.example.com/nhis')).ssl).toEqual({ rejectUnauthorized: true });
    expect(mysqlTarget(env(`mysql://u:p@db.example.com/nhis?ssl-mode=VERIFY_IDENTITY&ssl-ca=${ca}`))).toMatchObject({
      password: 'p',
      ssl: { rejectUnauthorized: true, ca: 'CERT' },
    });
    expect(mysqlTarget(env('mysql://u:p%40ss@db.example.com')).password).toBe('p@ss');
  });

  it('refuses plaintext or unverified TLS off loopback, and unknown parameters', () => {
    expect(() => mysqlTarget(env('mysql://u:p@db.example.com/nhis?ssl-mode=DISABLED'))).toThrow(/verified TLS only/);
    expect(() => mysqlTarget(env('mysql://u:p@db.example.com/nhis?ssl-mode=REQUIRED'))).toThrow(/does not verify/);
    expect(() => mysqlTarget(env('mysql://u:p@db.example.com/nhis?sslmode=off'))).toThrow(/unknown parameter sslmode/);
    expect(() => mysqlTarget(env('postgres://u:p@db.example.com/nhis'))).toThrow(/must start with mysql:\/\//);
  });
});

describe('DATABASE_URL', () => {
  it('takes https, and http only for a loopback gateway', () => {
    expect(planetScaleTarget('https://u:p@aws.connect.psdb.cloud').url).toBe('https://u:p@aws.connect.psdb.cloud');
    expect(planetScaleTarget('http://u:p@127.0.0.1:8080').url).toBe('http://u:p@127.0.0.1:8080');
    expect(() => planetScaleTarget('http://u:p@aws.connect.psdb.cloud')).toThrow(/over https/);
    expect(() => planetScaleTarget('https://aws.connect.psdb.cloud')).toThrow(/needs a user and password/);
    expect(() => planetScaleTarget('not a url')).toThrow(/not a URL/);
  });
});

describe('retries', () => {
  const vitess = (code: string, message = 'x') =>
    Object.assign(new Error(message), { name: 'DatabaseError', status: 400, body: { code, message } });

  it('retry Vitess transient errors and network failures, never a statement error or the row limit', () => {
    for (const code of ['UNAVAILABLE', 'RESOURCE_EXHAUSTED', 'DEADLINE_EXCEEDED', 'ABORTED'])
      expect(isTransient(vitess(code)), code).toBe(true);
    expect(isTransient(vitess('RESOURCE_EXHAUSTED', 'Row count exceeded 100000'))).toBe(false);
    expect(isTransient(vitess('INVALID_ARGUMENT'))).toBe(false);
    expect(isTransient(vitess('ALREADY_EXISTS'))).toBe(false);
    expect(isTransient(Object.assign(new TypeError('fetch failed')))).toBe(true);
    expect(isTransient(Object.assign(new Error('Deadlock'), { errno: 1213 }))).toBe(true);
  });

  it('give up after the policy’s retries, and pass a statement error through at once', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw vitess('UNAVAILABLE');
        },
        { retries: 3, baseMs: 1 },
      ),
    ).rejects.toThrow();
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw vitess('INVALID_ARGUMENT');
        },
        { retries: 3, baseMs: 1 },
      ),
    ).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    expect(
      await withRetries(async () => (++calls < 3 ? Promise.reject(vitess('ABORTED')) : 'ok'), {
        retries: 3,
        baseMs: 1,
      }),
    ).toBe('ok');
  });
});
