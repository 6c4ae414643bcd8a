// Where the local MariaDB and Redis live. Every default can be overridden by env, so machines
// whose MariaDB allows root only over the unix socket still work (MYSQL_SOCKET).
// MYSQL_URL is parsed by the ETL's target module (its TLS rules apply here too).
export { mysqlTarget, type MysqlTarget } from '../etl/targets/mysql-url.ts';

export { redisUrl } from '../etl/targets/local-services.ts';

/** The database the project owns; tests use their own (see test/global-setup.ts). */
export function databaseName(env: NodeJS.ProcessEnv = process.env): string {
  return env.NHIS_DATABASE ?? 'nhis';
}
