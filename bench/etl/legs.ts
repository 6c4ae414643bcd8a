// One ETL leg: the production path (ETL child → local PlanetScale gateway child → MariaDB) or the
// MySQL path (ETL child → MariaDB by LOAD DATA), with each process's CPU and memory measured apart.
import type { Connection } from 'mysql2/promise';
import type { MysqlTarget } from '../../etl/targets/mysql-url.ts';
import { etlChild, startGateway, type EtlRun } from './children.ts';
import { freshDatabase, serverMark, settle } from './mariadb.ts';
import type { GatewayFigures, LegRun, Settled } from './types.ts';

export interface LegContext {
  root: string;
  target: MysqlTarget;
  admin: Connection;
  mariadbPid: number | null;
  file: string;
  /** ETL options for every leg (--workers, --chunk-bytes) and for the production path only. */
  args: string[];
  productionArgs: string[];
  profileDir?: string | undefined;
}

/** totalMs less the phases after `switch` (in the order the run timed them): until the dataset was live. */
export function liveMs(totalMs: number, phases: Record<string, number>): number {
  const names = Object.keys(phases);
  const at = names.indexOf('switch');
  if (at < 0) return totalMs;
  return totalMs - names.slice(at + 1).reduce((sum, n) => sum + (phases[n] ?? 0), 0);
}

function legRun(
  run: EtlRun,
  settled: Settled,
  server: { cpuS: number | null; redoMb: number; comInsert: number },
  gateway?: GatewayFigures,
): LegRun {
  const s = run.summary;
  return {
    totalMs: s.totalMs,
    wallMs: Math.round(run.wallMs),
    liveMs: liveMs(s.totalMs, s.timingsMs),
    cleanupMs: s.timingsMs.cleanup ?? 0,
    phasesMs: s.timingsMs,
    workerMs: s.workerMs ?? {},
    peakRssMb: run.peakRssMb,
    etlCpuS: run.cpuS === null ? null : +run.cpuS.toFixed(2),
    mariadbCpuS: server.cpuS,
    redoMb: server.redoMb,
    comInsert: server.comInsert,
    ...(gateway ? { gateway } : {}),
    rows: s.rows.read,
    workers: s.workers,
    chunks: s.chunks,
    settled,
    rssSamplesMb: run.rssSamplesMb,
  };
}

/**
 * The production path into `database`: a fresh one (dropped, recreated, schema applied: a first
 * load) unless `fresh` is false (a replace onto what is there). The gateway is started for the
 * leg and stopped after it, so its CPU, peak RSS and statement count are this leg's alone.
 */
export async function productionLeg(ctx: LegContext, database: string, fresh: boolean): Promise<LegRun> {
  if (fresh) await freshDatabase(ctx.admin, ctx.target, database);
  const settled = await settle(ctx.admin);
  const gateway = await startGateway(ctx.root, database, ctx.profileDir);
  try {
    const statements0 = await gateway.statements();
    const cpu0 = gateway.cpuS();
    const done = await serverMark(ctx.admin, ctx.mariadbPid);
    const run = await etlChild({
      root: ctx.root,
      file: ctx.file,
      target: { databaseUrl: gateway.url },
      args: [...ctx.args, ...ctx.productionArgs],
      profileDir: ctx.profileDir,
    });
    const cpu1 = gateway.cpuS();
    const server = await done();
    const statements1 = await gateway.statements();
    const mem = await gateway.memoryMb();
    const counted = statements0 !== null && statements1 !== null;
    const statements = counted
      ? statements1 - statements0
      : Number.isFinite(server.comInsert)
        ? server.comInsert
        : null;
    const cpuS = cpu0 !== null && cpu1 !== null ? +(cpu1 - cpu0).toFixed(2) : null;
    return legRun(run, settled, server, {
      cpuS,
      peakRssMb: mem?.hwm ?? null,
      statements,
      statementsFrom: counted ? 'gateway' : statements !== null ? 'Com_insert' : null,
      cpuMsPerStatement: cpuS !== null && statements ? +((1000 * cpuS) / statements).toFixed(2) : null,
    });
  } finally {
    await gateway.stop();
  }
}

/** The MySQL path (LOAD DATA LOCAL INFILE per chunk) into a fresh `database`. */
export async function mysqlLeg(ctx: LegContext, database: string): Promise<LegRun> {
  await freshDatabase(ctx.admin, ctx.target, database);
  const settled = await settle(ctx.admin);
  const done = await serverMark(ctx.admin, ctx.mariadbPid);
  const run = await etlChild({
    root: ctx.root,
    file: ctx.file,
    target: { database },
    args: ctx.args,
    profileDir: ctx.profileDir,
  });
  return legRun(run, settled, await done());
}
