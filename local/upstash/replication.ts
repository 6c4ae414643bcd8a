// A global Upstash database as an edge location far from its primary region sees it, and the
// sync tokens of read-your-writes (Upstash docs: howto/readyourwrites, features/consistency):
// - writes go to the primary: a request with a write command waits the round trip to it;
// - reads are served by the nearby replica, which applies each write `replicationLagMs` after
//   the primary did; a read carrying an `upstash-sync-token` waits until the replica has
//   reached the state that token names;
// - every reply carries a token naming the primary's state (its count of writes).
// One local Redis holds the data, so a write is visible to every read at once: only the waits
// are modelled, which is what a client's latency depends on.
import { randomBytes } from 'node:crypto';
import type { Send } from './redis-connections.ts';
import type { RedisCommand } from './request-body.ts';

export interface ReplicationProfile {
  /** Round trip from this edge to the primary region, ms: paid by every request that writes. */
  primaryRttMs: number;
  /** How long after the primary a write reaches this region's replica, ms. */
  replicationLagMs: number;
}

export interface ReplicationStats {
  /** Requests with at least one write command. */
  writes: number;
  /** Requests with only read-only commands. */
  reads: number;
  /** Reads whose sync token made them wait for the replica, and their total wait, ms. */
  syncWaits: number;
  syncWaitMs: number;
}

export interface Replication {
  /** Runs a request: waits for the primary (writes) or for the token's state (reads), then `run`. */
  around<T>(commands: readonly RedisCommand[], syncToken: string | undefined, run: () => Promise<T>): Promise<T>;
  /** The token naming the primary's current state, for the reply. */
  token(): string;
  stats(): ReplicationStats;
  /** Changes the profile from now on (undefined: a regional database next door). */
  setProfile(profile: ReplicationProfile | undefined): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Whether Redis flags a command `readonly` (COMMAND INFO), asked once per command name. Anything
 * else counts as a write, scripts included (EVAL, EVALSHA: a script may write; EVAL_RO may not),
 * as a command a replica cannot serve goes to the primary.
 */
function readOnlyCommands(send: Send): (name: string) => Promise<boolean> {
  const known = new Map<string, Promise<boolean>>();
  return (name) => {
    const key = name.toLowerCase();
    let answer = known.get(key);
    if (!answer) {
      answer = send(['COMMAND', 'INFO', key]).then(
        (reply) => {
          const info = Array.isArray(reply) ? reply[0] : null;
          const flags = Array.isArray(info) && Array.isArray(info[2]) ? info[2].map(String) : [];
          return flags.includes('readonly');
        },
        () => false,
      );
      known.set(key, answer);
    }
    return answer;
  };
}

export function createReplication(send: Send, profile: ReplicationProfile | undefined): Replication {
  const boot = randomBytes(6).toString('hex');
  const isReadOnly = readOnlyCommands(send);
  let primarySeq = 0;
  /** When the replica reaches each recent write, by sequence number; older ones are there already. */
  const reachesReplica = new Map<number, number>();
  const stats: ReplicationStats = { writes: 0, reads: 0, syncWaits: 0, syncWaitMs: 0 };

  /** The sequence number a token of ours names, or null (empty, foreign or from an earlier boot). */
  function sequenceOf(token: string | undefined): number | null {
    const m = /^([0-9a-f]{12})-(\d+)$/.exec(token?.trim() ?? '');
    return m && m[1] === boot ? Number(m[2]) : null;
  }

  function forget(now: number): void {
    for (const [seq, at] of reachesReplica) {
      if (at > now) break;
      reachesReplica.delete(seq);
    }
  }

  return {
    async around(commands, syncToken, run) {
      const names = commands.map((c) => c[0] ?? '');
      const writes = (await Promise.all(names.map(isReadOnly))).includes(false);
      if (writes) {
        stats.writes++;
        if (profile?.primaryRttMs) await sleep(profile.primaryRttMs);
        const result = await run();
        const seq = ++primarySeq;
        if (profile?.replicationLagMs) reachesReplica.set(seq, Date.now() + profile.replicationLagMs);
        return result;
      }
      stats.reads++;
      const seq = sequenceOf(syncToken);
      if (seq !== null && profile) {
        forget(Date.now());
        const at = reachesReplica.get(seq);
        const waitMs = at === undefined ? 0 : at - Date.now();
        if (waitMs > 0) {
          stats.syncWaits++;
          stats.syncWaitMs += waitMs;
          await sleep(waitMs);
        }
      }
      return run();
    },
    token: () => `${boot}-${primarySeq}`,
    stats: () => ({ ...stats }),
    setProfile(next) {
      profile = next;
    },
  };
}
