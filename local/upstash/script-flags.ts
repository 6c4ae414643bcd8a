// Upstash accepts a Lua shebang flag that upstream Redis rejects: `#!lua flags=allow-key-locking`
// (on every @upstash/ratelimit 2.2 script). Strip it before Redis sees the script, and map SHAs
// so EVALSHA with the hash of the client's text keeps working.
import { createHash } from 'node:crypto';

// "Locks only the keys passed in KEYS" on Upstash (upstash/ratelimit-js#154, upstash/ratelimit-py#16);
// Redis 7.0 answers "ERR Unexpected flag in script shebang: allow-key-locking".
const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking']);
const MAX_REMEMBERED = 1024;

export interface PreparedCommand {
  args: string[];
  /** Turns Redis's reply into the one Upstash would give, when they differ. */
  mapReply?: (reply: unknown) => unknown;
}

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

/**
 * The script without Upstash-only flags, or undefined when there are none. With no flag left
 * the shebang line becomes empty, so Lua error line numbers stay the same.
 */
export function stripUpstashFlags(script: string): string | undefined {
  if (!script.startsWith('#!')) return undefined;
  const end = script.indexOf('\n');
  const line = end === -1 ? script : script.slice(0, end);
  const [engine, ...parts] = line.slice(2).split(' ').filter(Boolean);
  if (engine !== 'lua') return undefined;
  let removed = false;
  const kept = parts.flatMap((part) => {
    if (!part.startsWith('flags=')) return [part];
    const flags = part.slice('flags='.length).split(',');
    const left = flags.filter((f) => !UPSTASH_ONLY_FLAGS.has(f));
    removed ||= left.length !== flags.length;
    return left.length ? [`flags=${left.join(',')}`] : [];
  });
  if (!removed) return undefined;
  const shebang = kept.length ? `#!lua ${kept.join(' ')}` : '';
  return shebang + (end === -1 ? '' : script.slice(end));
}

/** Rewrites EVAL, EVALSHA, SCRIPT LOAD and SCRIPT EXISTS; other commands pass through. */
export function createScriptShim(): (args: string[]) => PreparedCommand {
  const redisSha = new Map<string, string>(); // sha1 of the client's text → sha1 of what Redis runs
  const remember = (original: string, stripped: string): string => {
    const from = sha1(original);
    if (!redisSha.has(from) && redisSha.size >= MAX_REMEMBERED) redisSha.delete(redisSha.keys().next().value!);
    redisSha.set(from, sha1(stripped));
    return from;
  };
  const mapSha = (sha: string): string => redisSha.get(sha.toLowerCase()) ?? sha;

  return (args) => {
    const name = args[0]!.toLowerCase();
    if ((name === 'eval' || name === 'eval_ro') && args[1] !== undefined) {
      const stripped = stripUpstashFlags(args[1]);
      if (stripped === undefined) return { args };
      remember(args[1], stripped);
      return { args: [args[0]!, stripped, ...args.slice(2)] };
    }
    if ((name === 'evalsha' || name === 'evalsha_ro') && args[1] !== undefined) {
      return { args: [args[0]!, mapSha(args[1]), ...args.slice(2)] };
    }
    const sub = args[1]?.toLowerCase();
    if (name === 'script' && sub === 'load' && args[2] !== undefined) {
      const stripped = stripUpstashFlags(args[2]);
      if (stripped === undefined) return { args };
      const clientSha = remember(args[2], stripped);
      // Upstash answers the SHA of the text it was given; Redis would answer the stripped one's.
      return { args: [args[0]!, args[1]!, stripped], mapReply: () => Buffer.from(clientSha) };
    }
    if (name === 'script' && sub === 'exists') {
      return { args: [args[0]!, args[1]!, ...args.slice(2).map(mapSha)] };
    }
    return { args };
  };
}
