// Runs parsed commands against Redis with the semantics of the three Upstash endpoints:
// `/` (one command), `/pipeline` (in order, not atomic) and `/multi-exec` (MULTI…EXEC).
import { ErrorReply } from 'redis';
import { GatewayError } from './gateway-error.ts';
import type { RedisConnections, Send } from './redis-connections.ts';
import type { Outcome } from './reply-json.ts';
import type { RedisCommand } from './request-body.ts';
import { createScriptShim, type PreparedCommand } from './script-flags.ts';

export interface Executor {
  runCommand(args: RedisCommand): Promise<Outcome>;
  runPipeline(commands: RedisCommand[]): Promise<Outcome[]>;
  runMultiExec(commands: RedisCommand[]): Promise<Outcome[]>;
}

const TRANSACTION = new Set(['multi', 'exec', 'discard', 'watch', 'unwatch']);
// Commands that would change the state of a connection other requests share.
const CONNECTION_STATE = new Set([
  'select',
  'hello',
  'auth',
  'reset',
  'quit',
  'monitor',
  'sync',
  'psync',
  'replconf',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);
const CLIENT_STATE = new Set(['reply', 'tracking', 'caching']);
// Commands that can hold a connection for their whole timeout; they get a dedicated one.
const BLOCKING = new Set([
  'blpop',
  'brpop',
  'brpoplpush',
  'blmove',
  'blmpop',
  'bzpopmin',
  'bzpopmax',
  'bzmpop',
  'wait',
  'waitaof',
]);

/** Why the gateway will not forward this command, or undefined. */
function refusal(args: RedisCommand): string | undefined {
  const name = args[0]!.toLowerCase();
  if (TRANSACTION.has(name)) {
    return `ERR ${name.toUpperCase()} is not supported as a single command; send the transaction to /multi-exec`;
  }
  if (CONNECTION_STATE.has(name) || (name === 'client' && CLIENT_STATE.has((args[1] ?? '').toLowerCase()))) {
    return `ERR ${name.toUpperCase()} would change the state of a shared connection and is not supported by the local Upstash gateway`;
  }
  return undefined;
}

function isBlocking(args: RedisCommand): boolean {
  const name = args[0]!.toLowerCase();
  if (BLOCKING.has(name)) return true;
  return (name === 'xread' || name === 'xreadgroup') && args.some((a) => a.toLowerCase() === 'block');
}

/** A Redis error reply becomes `{error}`; a connection failure propagates (→ 500). */
function settle(send: Send, { args, mapReply }: PreparedCommand): Promise<Outcome> {
  return send(args).then(
    (result) => ({ result: mapReply ? mapReply(result) : result }),
    (err: unknown) => {
      if (err instanceof ErrorReply) return { error: err.message };
      throw err;
    },
  );
}

export function createExecutor(conns: RedisConnections): Executor {
  const prepare = createScriptShim();

  return {
    runCommand(args) {
      const refused = refusal(args);
      if (refused) return Promise.resolve({ error: refused });
      const prepared = prepare(args);
      if (isBlocking(args)) return conns.withDedicated((send) => settle(send, prepared));
      return settle(conns.send, prepared);
    },

    /** Every command is written at once on one connection, so Redis runs them in order; a failed
     * item does not stop the others (Upstash blog "Pipeline REST API"; redis-js pkg/pipeline.ts). */
    runPipeline(commands) {
      const run = (send: Send) =>
        Promise.all(
          commands.map((args) => {
            const refused = refusal(args);
            return refused ? { error: refused } : settle(send, prepare(args));
          }),
        );
      return commands.some(isBlocking) ? conns.withDedicated(run) : run(conns.send);
    },

    /**
     * MULTI, the commands and EXEC on one dedicated connection. A runtime error is that item's
     * `{error}` (Redis does not roll back); a queue-time error (arity, unknown command) makes EXEC
     * fail with EXECABORT, answered as 400 like SRH command_handler.ex.
     */
    async runMultiExec(commands) {
      for (const args of commands) {
        const refused = refusal(args);
        if (refused) throw new GatewayError(400, refused);
      }
      const prepared = commands.map(prepare);
      return conns.withDedicated(async (send) => {
        const replies = await Promise.allSettled([
          send(['MULTI']),
          ...prepared.map((p) => send(p.args)),
          send(['EXEC']),
        ]);
        for (const r of replies) {
          if (r.status === 'rejected' && !(r.reason instanceof ErrorReply)) throw r.reason;
        }
        const exec = replies[replies.length - 1]!;
        if (exec.status === 'rejected') throw new GatewayError(400, (exec.reason as ErrorReply).message);
        if (!Array.isArray(exec.value)) throw new GatewayError(400, 'EXECABORT Transaction discarded');
        return exec.value.map((item: unknown, i): Outcome => {
          if (item instanceof ErrorReply) return { error: item.message };
          const mapReply = prepared[i]?.mapReply;
          return { result: mapReply ? mapReply(item) : item };
        });
      });
    },
  };
}
