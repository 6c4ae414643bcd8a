// The fetch floor, counted: each database-backed endpoint (the API or its uncached twin) and the
// fetch floor Worker (bench/http/fetch-floor-entry.ts) sending the same requests, under plain
// workerd run by callgrind as bench/http/instructions.ts counts the others. The last window of
// each is also read per function (bench/report/fetch-floor.ts parseCallgrind), for the profile of where an endpoint's
// instructions beyond the fetch floor's go.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningWorkerd } from '../../local/workerd-worker.ts';
import { muteWorkerLogs } from '../../loadkit/http/worker-log.ts';
import {
  compareProfiles,
  FETCH_FLOOR_ENDPOINTS,
  FETCH_FLOOR_TARGET,
  type FetchFloorFigures,
  type FetchFloorPair,
  type FetchFloorResult,
  fetchFloorRatio,
  groupProfile,
  type ProfileGroupName,
  parseCallgrind,
} from '../report/fetch-floor.ts';
import type { BenchStack } from './bench-stack.ts';
import type { EndpointPlan } from './endpoints.ts';
import {
  callgrindLauncher,
  countWindows,
  type InstructionSettings,
  responsesOf,
  steadyPerResponse,
  valgrindStatus,
} from './instructions.ts';

const PREDICTABLE = ['--predictable'];
const STARTUP_TIMEOUT_MS = 180_000;
/**
 * Share of the instruction settings' warm-up and windows: each response here waits on the
 * gateway and MariaDB, so under valgrind it takes several times a /simulate response.
 */
export const FETCH_FLOOR_SHARE = 0.25;

interface Counted {
  figures: FetchFloorFigures;
  profile: Map<ProfileGroupName, number> | null;
}

/** The newest dump callgrind wrote for `pid` in `dir` (cg.<pid>.<n>): the last window. */
async function lastDump(dir: string, pid: number): Promise<string | null> {
  const mine = (await readdir(dir))
    .map((f) => /^cg\.(\d+)\.(\d+)$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) === pid)
    .sort((a, b) => Number(b[2]) - Number(a[2]));
  return mine[0] ? join(dir, mine[0][0]) : null;
}

async function profileOf(
  dump: string,
  responses: number,
  log: (m: string) => void,
): Promise<Map<ProfileGroupName, number> | null> {
  try {
    return groupProfile(parseCallgrind(await readFile(dump, 'utf8')), responses);
  } catch (err) {
    log(`  could not read the profile in ${dump}: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
}

export async function measureFetchFloor(
  bench: BenchStack,
  plan: EndpointPlan[],
  s: InstructionSettings,
): Promise<FetchFloorResult> {
  const status = valgrindStatus();
  const ids: string[] = FETCH_FLOOR_ENDPOINTS.map((e) => e.id);
  const mine = plan.filter((p) => ids.includes(p.id)).map((p) => ({ ...p, callgrindShare: FETCH_FLOOR_SHARE }));
  const own = responsesOf({ ...mine[0]!, callgrindShare: FETCH_FLOOR_SHARE }, s);
  const settings = { warmup: own.warmup, perWindow: own.perWindow, windows: s.windows, connections: s.connections };
  const base = { ...settings, target: FETCH_FLOOR_TARGET };
  if ('missing' in status) return { tool: null, skipped: status.missing, ...base, pairs: [] };
  const outDir = await mkdtemp(join(tmpdir(), 'nhis-fetch-floor-'));
  const launched = bench.launched({
    launcher: callgrindLauncher(outDir),
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
    v8Flags: PREDICTABLE,
  });
  const mute = muteWorkerLogs();
  const counted = new Map<string, Counted>();
  const under = async (name: string, start: () => Promise<RunningWorkerd>, plans: EndpointPlan[]) => {
    if (!plans.length) return;
    const worker = await start();
    try {
      const pid = worker.pid;
      if (pid === undefined) throw new Error('no pid for the workerd process under callgrind');
      for (const p of plans) {
        const windows = await countWindows({ url: worker.url, pid }, outDir, p, s);
        const perResponse = steadyPerResponse(windows);
        const dump = await lastDump(outDir, pid);
        const profile = dump ? await profileOf(dump, own.perWindow, s.log) : null;
        s.log(
          `  callgrind  ${`${name}: ${p.label}`.padEnd(50)} ${perResponse.toLocaleString('en-US').padStart(9)} instructions / response (windows: ${windows.map((w) => w.toLocaleString('en-US')).join(', ')})`,
        );
        counted.set(`${name}:${p.id}`, { figures: { id: p.id, label: p.label, perResponse, windows }, profile });
      }
    } finally {
      await worker.close();
    }
  };
  try {
    await under('fetch floor', launched.fetchFloor, mine);
    await under(
      'api',
      launched.api,
      mine.filter((p) => p.instance === 'api'),
    );
    await under(
      'uncached',
      launched.uncached,
      mine.filter((p) => p.instance === 'uncached'),
    );
    const pairs: FetchFloorPair[] = [];
    for (const p of mine) {
      const endpoint = counted.get(`${p.instance}:${p.id}`);
      const floor = counted.get(`fetch floor:${p.id}`);
      const ratio = endpoint && floor ? fetchFloorRatio(endpoint.figures.perResponse, floor.figures.perResponse) : null;
      if (!endpoint || !floor || ratio === null) continue;
      pairs.push({
        id: p.id,
        label: p.label,
        statements: FETCH_FLOOR_ENDPOINTS.find((e) => e.id === p.id)!.statements,
        endpoint: endpoint.figures,
        fetchFloor: { ...floor.figures, label: `fetch floor: ${p.label}` },
        ratio,
        ...(endpoint.profile && floor.profile ? { profile: compareProfiles(endpoint.profile, floor.profile) } : {}),
      });
    }
    return { tool: status.version, ...base, pairs };
  } finally {
    mute.stop();
    await rm(outDir, { recursive: true, force: true });
  }
}
