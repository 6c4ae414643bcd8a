// Conformance: the unmodified @upstash/redis and @upstash/ratelimit against our Upstash REST
// gateway and the real local Redis (docs/protocols.md#conformance-tests), in both client modes.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { Ratelimit } from '@upstash/ratelimit';
import { errors, Redis } from '@upstash/redis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisUrl } from '../../local/config.ts';
import { startUpstashGateway, type RunningGateway } from '../../local/upstash-gateway.ts';

const TOKEN = 'conformance-token';
// Other suites share this Redis: every key lives under this prefix and is removed afterwards.
const PREFIX = `conf:${process.pid}:`;
const MB = 1024 * 1024;

let gateway: RunningGateway;
/** node-redis straight to Redis: checks what really landed there, and cleans up. */
let direct: ReturnType<typeof createClient>;

beforeAll(async () => {
  gateway = await startUpstashGateway({ redisUrl: redisUrl(), token: TOKEN, port: 0 });
  direct = createClient({ url: redisUrl() });
  await direct.connect();
});

afterAll(async () => {
  if (direct?.isReady) {
    for await (const keys of direct.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 1000 })) {
      if (keys.length) await direct.unlink(keys);
    }
    await direct.close();
  }
  await gateway?.close();
});

interface RawReply {
  status: number;
  headers: Headers;
  text: string;
}

/** A hand-made request, to pin the wire format the SDK hides. */
async function raw(
  path: string,
  body: unknown,
  opts: {
    base64?: boolean;
    token?: string | null;
    method?: string;
    headers?: Record<string, string>;
    rawBody?: string;
  } = {},
): Promise<RawReply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...opts.headers };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (opts.base64 ?? true) headers['Upstash-Encoding'] = 'base64';
  const method = opts.method ?? 'POST';
  const res = await fetch(`${gateway.url}${path}`, {
    method,
    headers,
    body: method === 'GET' ? undefined : (opts.rawBody ?? JSON.stringify(body)),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Fixed and sliding windows are aligned to multiples of the window (ratelimit-js
 * src/lua-scripts/single.ts); a burst that straddles an edge would start a new window. */
async function awayFromWindowEdge(windowMs: number, marginMs = 1_000): Promise<void> {
  const into = Date.now() % windowMs;
  if (into > windowMs - marginMs) await sleep(windowMs - into + 50);
}

const modes = [
  { mode: 'default config (auto-pipelining)', tag: 'ap', options: {} },
  { mode: 'enableAutoPipelining: false', tag: 'np', options: { enableAutoPipelining: false } },
];

describe.each(modes)('@upstash/redis with $mode', ({ tag, options }) => {
  const P = `${PREFIX}${tag}:`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis({ url: gateway.url, token: TOKEN, ...options });
  });

  describe('strings', () => {
    it('SET with EX, then GET and TTL', async () => {
      expect(await redis.set(`${P}k`, 'v', { ex: 60 })).toBe('OK');
      expect(await redis.get(`${P}k`)).toBe('v');
      const ttl = await redis.ttl(`${P}k`);
      expect(ttl).toBeGreaterThanOrEqual(1);
      expect(ttl).toBeLessThanOrEqual(60);
    });

    it('SET NX on an existing key gives null; GET of a missing key gives null', async () => {
      await redis.set(`${P}nx`, 'first');
      expect(await redis.set(`${P}nx`, 'second', { nx: true })).toBeNull();
      expect(await redis.get(`${P}nx`)).toBe('first');
      expect(await redis.get(`${P}missing`)).toBeNull();
    });

    it('MGET keeps a missing key as null in place', async () => {
      await redis.set(`${P}a`, 'va');
      await redis.set(`${P}b`, 'vb');
      expect(await redis.mget(`${P}a`, `${P}nope`, `${P}b`)).toEqual(['va', null, 'vb']);
    });

    it('DEL counts the keys it removed', async () => {
      await redis.set(`${P}d1`, '1');
      await redis.set(`${P}d2`, '2');
      expect(await redis.del(`${P}d1`, `${P}d2`, `${P}d3`)).toBe(2);
      expect(await redis.exists(`${P}d1`, `${P}d2`)).toBe(0);
    });
  });

  describe('counters', () => {
    it('INCR, INCRBY and INCRBYFLOAT give numbers', async () => {
      expect(await redis.incr(`${P}n`)).toBe(1);
      expect(await redis.incrby(`${P}n`, 5)).toBe(6);
      expect(await redis.incrbyfloat(`${P}f`, 0.1)).toBe(0.1);
    });

    it('INCR on a non-number throws UpstashError with the Redis message', async () => {
      await redis.set(`${P}word`, 'abc');
      const err = await redis.incr(`${P}word`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(errors.UpstashError);
      expect((err as Error).message).toMatch(/ERR value is not an integer/);
    });

    it('100 parallel INCR end at exactly 100', async () => {
      const results = await Promise.all(Array.from({ length: 100 }, () => redis.incr(`${P}par`)));
      expect(await redis.get(`${P}par`)).toBe(100);
      expect([...results].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    });
  });

  describe('client-side deserialization', () => {
    it('an object round-trips as JSON', async () => {
      const value = { name: '홍길동', tags: ['a', 'b'], n: 1.5, nested: { ok: true, none: null } };
      await redis.set(`${P}obj`, value);
      expect(await redis.get(`${P}obj`)).toEqual(value);
      expect(await direct.get(`${P}obj`)).toBe(JSON.stringify(value));
    });

    it("'007' and unsafe integers stay strings, '123' becomes 123, 'OK' stays 'OK'", async () => {
      await redis.set(`${P}s007`, '007');
      await redis.set(`${P}unsafe`, '9007199254740993');
      await redis.set(`${P}s123`, '123');
      await redis.set(`${P}sok`, 'OK');
      expect(await redis.get(`${P}s007`)).toBe('007');
      expect(await redis.get(`${P}unsafe`)).toBe('9007199254740993');
      expect(await redis.get(`${P}s123`)).toBe(123);
      expect(await redis.get(`${P}sok`)).toBe('OK');
    });
  });

  describe('UTF-8 and key shapes', () => {
    it('Korean and emoji keys and values round-trip, byte-exact in Redis', async () => {
      const key = `${P}건강검진:😀`;
      const value = '고혈압 위험 🚑 — ✓';
      await redis.set(key, value);
      expect(await redis.get(key)).toBe(value);
      expect(await direct.get(key)).toBe(value);
      expect(await redis.mget(key, `${P}없음`)).toEqual([value, null]);
    });

    it.each(['with/slash', 'with space', 'with?question', 'a/b?c=d&e f#g'])('key %j round-trips', async (suffix) => {
      const key = `${P}${suffix}`;
      await redis.set(key, suffix);
      expect(await redis.get(key)).toBe(suffix);
      expect(await direct.get(key)).toBe(suffix);
    });
  });

  describe('large values', () => {
    it('a 5 MB value round-trips', async () => {
      const value = 'x'.repeat(5 * MB);
      expect(await redis.set(`${P}big`, value)).toBe('OK');
      expect(await direct.strLen(`${P}big`)).toBe(5 * MB);
      const back = await redis.get<string>(`${P}big`);
      expect(back?.length).toBe(5 * MB);
      expect(back === value).toBe(true);
    });

    it('a large non-ASCII value round-trips through base64', async () => {
      const value = '한국어😀é'.repeat(100_000);
      await redis.set(`${P}bigutf8`, value);
      expect((await redis.get<string>(`${P}bigutf8`)) === value).toBe(true);
    });

    it('a body over the limit gives UpstashError from a JSON 413', async () => {
      const err = await redis.set(`${P}toobig`, 'x'.repeat(11 * MB)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(errors.UpstashError);
      expect((err as Error).message).toMatch(/^ERR request too large/);
      expect(await direct.exists(`${P}toobig`)).toBe(0);
    });
  });

  describe('pipelines and transactions', () => {
    it('pipeline with keepErrors keeps each item', async () => {
      const res = await redis
        .pipeline()
        .set(`${P}pk`, 'v')
        .hget(`${P}pk`, 'field')
        .get(`${P}pk`)
        .exec({ keepErrors: true });
      expect(res).toHaveLength(3);
      expect(res[0]).toMatchObject({ result: 'OK' });
      expect(res[1]?.error).toMatch(/^WRONGTYPE Operation against a key holding the wrong kind of value/);
      expect(res[2]).toMatchObject({ result: 'v' });
    });

    it('pipeline without keepErrors throws naming the failed command', async () => {
      const p = redis.pipeline().set(`${P}pk2`, 'v').hget(`${P}pk2`, 'field').get(`${P}pk2`).exec();
      await expect(p).rejects.toThrow(
        'Command 2 [ hget ] failed: WRONGTYPE Operation against a key holding the wrong kind of value',
      );
      expect(await redis.get(`${P}pk2`)).toBe('v');
    });

    it("multi-exec gives ['OK', 'v', 1]", async () => {
      const res = await redis.multi().set(`${P}mk`, 'v').get(`${P}mk`).incr(`${P}mn`).exec();
      expect(res).toEqual(['OK', 'v', 1]);
    });

    it('a runtime error inside multi-exec keeps the other commands', async () => {
      const res = await redis
        .multi()
        .set(`${P}mr1`, 'one')
        .hget(`${P}mr1`, 'field')
        .set(`${P}mr2`, 'two')
        .exec({ keepErrors: true });
      expect(res[0]).toMatchObject({ result: 'OK' });
      expect(res[1]?.error).toMatch(/^WRONGTYPE/);
      expect(res[2]).toMatchObject({ result: 'OK' });
      expect(await direct.mGet([`${P}mr1`, `${P}mr2`])).toEqual(['one', 'two']);
    });
  });

  describe('scripts', () => {
    it('EVAL returns nested tables, with false as null', async () => {
      expect(await redis.eval("return {1,'OK',{2,'OK'},false}", [], [])).toEqual([1, 'OK', [2, 'OK'], null]);
    });

    it('EVAL passes keys and numeric args', async () => {
      const script = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[1], ARGV[2])";
      expect(await redis.eval(script, [`${P}ev`], [40, 2])).toBe(42);
    });

    it('non-UTF-8 bytes from Lua come back as U+FFFD (documented SDK limitation)', async () => {
      expect(await redis.eval('return string.char(255,0,254)', [], [])).toBe('\uFFFD\u0000\uFFFD');
    });

    it('EVALSHA of an unknown script throws NOSCRIPT verbatim', async () => {
      await expect(redis.evalsha('f'.repeat(40), [], [])).rejects.toThrow(
        /NOSCRIPT No matching script\. Please use EVAL\./,
      );
    });

    it('createScript().exec() works after SCRIPT FLUSH (NOSCRIPT, then EVAL)', async () => {
      expect(await redis.scriptFlush()).toBe('OK');
      const script = redis.createScript<string>(`return ARGV[1] .. '-${tag}'`);
      expect(await script.exec([], ['hello'])).toBe(`hello-${tag}`);
      expect(await script.exec([], ['again'])).toBe(`again-${tag}`);
    });
  });

  describe('@upstash/ratelimit', () => {
    const limiter = (name: string, algorithm: ConstructorParameters<typeof Ratelimit>[0]['limiter']) =>
      new Ratelimit({ redis, limiter: algorithm, prefix: `${P}rl:${name}`, ephemeralCache: false, analytics: false });

    async function burst(rl: Ratelimit, n: number) {
      const out = [];
      for (let i = 0; i < n; i++) {
        const r = await rl.limit('client-1');
        await r.pending;
        out.push({ success: r.success, remaining: r.remaining, limit: r.limit });
      }
      return out;
    }

    it("fixedWindow(3, '10 s') allows 3 then blocks", async () => {
      await awayFromWindowEdge(10_000);
      const res = await burst(limiter('fixed', Ratelimit.fixedWindow(3, '10 s')), 5);
      expect(res.map((r) => r.success)).toEqual([true, true, true, false, false]);
      expect(res.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
      expect(res.every((r) => r.limit === 3)).toBe(true);
    });

    it("slidingWindow(3, '10 s') allows 3 then blocks", async () => {
      await awayFromWindowEdge(10_000);
      const res = await burst(limiter('sliding', Ratelimit.slidingWindow(3, '10 s')), 5);
      expect(res.map((r) => r.success)).toEqual([true, true, true, false, false]);
      expect(res.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
    });

    it("tokenBucket(1, '10 s', 3) allows 3 then blocks", async () => {
      const res = await burst(limiter('bucket', Ratelimit.tokenBucket(1, '10 s', 3)), 5);
      expect(res.map((r) => r.success)).toEqual([true, true, true, false, false]);
      expect(res.map((r) => r.remaining)).toEqual([2, 1, 0, 0, 0]);
    });
  });

  describe('reply shapes', () => {
    it('HGETALL gives an object, and null for a missing key', async () => {
      await redis.hset(`${P}h`, { a: 1, b: 'x', c: '007' });
      expect(await redis.hgetall(`${P}h`)).toEqual({ a: 1, b: 'x', c: '007' });
      expect(await redis.hgetall(`${P}nohash`)).toBeNull();
    });

    it('ZADD then ZSCORE gives 1.5', async () => {
      expect(await redis.zadd(`${P}z`, { score: 1.5, member: 'm' })).toBe(1);
      expect(await redis.zscore(`${P}z`, 'm')).toBe(1.5);
    });

    it('SCAN keeps the cursor a string and finds the keys', async () => {
      await Promise.all(['1', '2', '3'].map((i) => redis.set(`${P}scan:${i}`, i)));
      const found: string[] = [];
      let cursor: string | number = 0;
      do {
        const [next, keys]: [string, string[]] = await redis.scan(cursor, { match: `${P}scan:*`, count: 1000 });
        expect(typeof next).toBe('string');
        found.push(...keys);
        cursor = next;
      } while (cursor !== '0');
      expect(found.sort()).toEqual([`${P}scan:1`, `${P}scan:2`, `${P}scan:3`]);
    });

    it('LRANGE of a missing key gives []', async () => {
      expect(await redis.lrange(`${P}nolist`, 0, -1)).toEqual([]);
      await redis.rpush(`${P}list`, 'a', 'b');
      expect(await redis.lrange(`${P}list`, 0, -1)).toEqual(['a', 'b']);
    });
  });

  describe('errors', () => {
    it('a wrong token throws UpstashError /Unauthorized/', async () => {
      const bad = new Redis({ url: gateway.url, token: 'wrong-token', ...options });
      const err = await bad.get(`${P}k`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(errors.UpstashError);
      expect((err as Error).message).toMatch(/^Unauthorized/);
    });

    it('an unknown command throws /ERR unknown command/', async () => {
      const err = await redis.exec(['nosuchcmd']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(errors.UpstashError);
      expect((err as Error).message).toMatch(/ERR unknown command/);
    });
  });

  it('readYourWritesSyncToken changes after a write, a pipeline and a script', async () => {
    await redis.ping();
    const tokens = [redis.readYourWritesSyncToken];
    await redis.set(`${P}ryw`, '1');
    tokens.push(redis.readYourWritesSyncToken);
    await redis.pipeline().incr(`${P}ryw`).get(`${P}ryw`).exec();
    tokens.push(redis.readYourWritesSyncToken);
    await redis.eval('return 1', [], []);
    tokens.push(redis.readYourWritesSyncToken);
    for (const t of tokens) expect(t).toMatch(/\S/);
    expect(new Set(tokens).size).toBe(tokens.length);
  });
});

describe('@upstash/redis with responseEncoding: false', () => {
  it('plain-text replies decode the same way', async () => {
    const redis = new Redis({ url: gateway.url, token: TOKEN, responseEncoding: false });
    const key = `${PREFIX}plain:한국어`;
    expect(await redis.set(key, '값 😀')).toBe('OK');
    expect(await redis.mget(key, `${PREFIX}plain:none`)).toEqual(['값 😀', null]);
    expect(await redis.eval("return {1,'OK',{2,'OK'},false}", [], [])).toEqual([1, 'OK', [2, 'OK'], null]);
  });
});

describe('wire format (raw fetch)', () => {
  const K = `${PREFIX}wire:`;

  it('GET replies base64 with Upstash-Encoding, plain text without', async () => {
    await direct.set(`${K}hello`, 'hello');
    const b64 = await raw('/', ['get', `${K}hello`]);
    expect(b64.status).toBe(200);
    expect(b64.headers.get('content-type')).toBe('application/json');
    expect(b64.text).toBe('{"result":"aGVsbG8="}');
    expect((await raw('/', ['get', `${K}hello`], { base64: false })).text).toBe('{"result":"hello"}');
  });

  it('every reply type: status, nil, 64-bit integer, nested arrays, raw bytes', async () => {
    expect((await raw('/', ['set', `${K}s`, 'v'])).text).toBe('{"result":"T0s="}');
    expect((await raw('/', ['get', `${K}none`])).text).toBe('{"result":null}');
    expect((await raw('/', ['incrby', `${K}big`, 9007199254740993n.toString()])).text).toBe(
      '{"result":9007199254740993}',
    );
    expect((await raw('/', ['eval', "return {1,'a',{'b',{}},false}", 0])).text).toBe(
      '{"result":[1,"YQ==",["Yg==",[]],null]}',
    );
    expect((await raw('/', ['eval', 'return string.char(255,0,254)', 0])).text).toBe('{"result":"/wD+"}');
    expect((await raw('/', ['eval', "return {1,'a',{'b'}}", 0], { base64: false })).text).toBe(
      '{"result":[1,"a",["b"]]}',
    );
  });

  it('arguments: numbers via String(n), booleans as true/false, other JSON types are rejected', async () => {
    await raw('/', ['set', `${K}num`, 1.5]);
    await raw('/', ['set', `${K}bool`, true]);
    await raw('/', ['set', `${K}exp`, 1e21]);
    expect(await direct.mGet([`${K}num`, `${K}bool`, `${K}exp`])).toEqual(['1.5', 'true', '1e+21']);
    for (const bad of [{}, null, ['nested']]) {
      const r = await raw('/', ['set', `${K}bad`, bad]);
      expect(r.status).toBe(400);
      expect(JSON.parse(r.text)).toEqual({ error: 'ERR invalid argument' });
    }
    const p = await raw('/pipeline', [
      ['set', `${K}pbad`, '1'],
      ['set', `${K}pbad2`, { a: 1 }],
    ]);
    expect(p.status).toBe(400);
    expect(await direct.exists(`${K}pbad`)).toBe(0);
  });

  it('pipeline errors are inline and not base64', async () => {
    const r = await raw('/pipeline', [
      ['set', `${K}p`, 'v'],
      ['hget', `${K}p`, 'f'],
      ['get', `${K}p`],
    ]);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual([
      { result: 'T0s=' },
      { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' },
      { result: 'dg==' },
    ]);
  });

  it('multi-exec: a queue-time error is 400 EXECABORT and nothing runs', async () => {
    const r = await raw('/multi-exec', [
      ['set', `${K}x`],
      ['set', `${K}y`, '1'],
    ]);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: 'EXECABORT Transaction discarded because of previous errors.' });
    expect(await direct.exists(`${K}y`)).toBe(0);
  });

  it('multi-exec: a runtime error is that item only', async () => {
    const r = await raw(
      '/multi-exec',
      [
        ['set', `${K}m`, 'v'],
        ['incr', `${K}m`],
        ['get', `${K}m`],
      ],
      { base64: false },
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual([
      { result: 'OK' },
      { error: 'ERR value is not an integer or out of range' },
      { result: 'v' },
    ]);
  });

  it('a Redis error on / is 400 with the full message, never encoded', async () => {
    const r = await raw('/', ['set', `${K}only-key`]);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({ error: "ERR wrong number of arguments for 'set' command" });
  });

  it('every error body is JSON with a sync token', async () => {
    const cases: Array<[number, Promise<RawReply>]> = [
      [401, raw('/', ['ping'], { token: null })],
      [401, raw('/', ['ping'], { token: 'nope' })],
      [404, raw('/nope', ['ping'])],
      [404, raw('/get/key', undefined, { method: 'GET' })],
      [404, raw(`/?_token=${TOKEN}`, ['ping'], { token: null })],
      [405, raw('/', undefined, { method: 'GET' })],
      [405, raw('/pipeline', [['ping']], { method: 'PUT' })],
      [400, raw('/', ['ping'], { headers: { 'Content-Type': 'text/plain' } })],
      [400, raw('/', undefined, { rawBody: '["ping"' })],
      [400, raw('/', { cmd: 'ping' })],
      [400, raw('/', [])],
      [400, raw('/pipeline', ['ping'])],
      [400, raw('/', ['select', '1'])],
      [400, raw('/', ['multi'])],
      [400, raw('/', ['nosuchcmd'])],
      [413, raw('/', undefined, { rawBody: JSON.stringify(['set', `${K}huge`, 'x'.repeat(11 * MB)]) })],
    ];
    for (const [status, pending] of cases) {
      const r = await pending;
      expect(r.status, r.text).toBe(status);
      expect(r.headers.get('content-type')).toBe('application/json');
      expect(r.headers.get('upstash-sync-token')).toMatch(/\S/);
      expect(typeof JSON.parse(r.text).error).toBe('string');
    }
    expect(JSON.parse((await cases[0]![1]).text)).toEqual({ error: 'Unauthorized' });
  });

  it('connection-state commands are refused per item in a pipeline and for the whole multi-exec', async () => {
    const p = await raw(
      '/pipeline',
      [
        ['set', `${K}st`, 'v'],
        ['select', '1'],
        ['get', `${K}st`],
      ],
      { base64: false },
    );
    expect(p.status).toBe(200);
    const items = JSON.parse(p.text) as Array<{ result?: unknown; error?: string }>;
    expect(items[0]).toEqual({ result: 'OK' });
    expect(items[1]?.error).toMatch(/^ERR SELECT /);
    expect(items[2]).toEqual({ result: 'v' });
    const m = await raw('/multi-exec', [
      ['set', `${K}st2`, 'v'],
      ['watch', `${K}st2`],
    ]);
    expect(m.status).toBe(400);
    expect(JSON.parse(m.text).error).toMatch(/^ERR WATCH /);
    expect(await direct.exists(`${K}st2`)).toBe(0);
  });

  it('malformed HTTP gets a JSON 400 too', async () => {
    const socket = connect(gateway.port, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.write('NOT-HTTP\r\n\r\n');
    await new Promise((resolve) => socket.on('close', resolve));
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text).toMatch(/content-type: application\/json/i);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error).toMatch(/^ERR /);
  });

  it('a fresh sync token on every response; incoming tokens and telemetry headers are ignored', async () => {
    const headers = {
      'upstash-sync-token': 'whatever-the-client-had',
      'Upstash-Telemetry-Runtime': 'node@v20',
      'Upstash-Telemetry-Platform': 'unknown',
      'Upstash-Telemetry-Sdk': '@upstash/redis@v1.39.0',
      'Upstash-Telemetry-Retry': '1',
    };
    const a = await raw('/', ['ping'], { headers });
    const b = await raw('/', ['ping'], { headers });
    expect(a.text).toBe('{"result":"UE9ORw=="}');
    const tokens = [a, b].map((r) => r.headers.get('upstash-sync-token'));
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it("Upstash's allow-key-locking script flag is accepted, and EVALSHA finds the script by the client's SHA", async () => {
    const script = `#!lua flags=allow-key-locking\nreturn redis.call('INCR', KEYS[1])`;
    const sha = createHash('sha1').update(script).digest('hex');
    // Redis itself rejects the flag: this is what the gateway has to hide.
    await expect(direct.sendCommand(['EVAL', script, '0'])).rejects.toThrow(/Unexpected flag in script shebang/);
    expect((await raw('/', ['evalsha', sha, 1, `${K}lock`])).text).toMatch(/^\{"error":"NOSCRIPT No matching script/);
    expect((await raw('/', ['eval', script, 1, `${K}lock`])).text).toBe('{"result":1}');
    expect((await raw('/', ['evalsha', sha, 1, `${K}lock`])).text).toBe('{"result":2}');
    expect((await raw('/pipeline', [['evalsha', sha.toUpperCase(), 1, `${K}lock`]])).text).toBe('[{"result":3}]');
    const load = await raw('/', ['script', 'load', script], { base64: false });
    expect(load.text).toBe(`{"result":"${sha}"}`);
    expect((await raw('/', ['script', 'exists', sha], { base64: false })).text).toBe('{"result":[1]}');
    // Other flags stay: a no-writes script may not write.
    const readOnly = await raw('/', [
      'eval',
      `#!lua flags=allow-key-locking,no-writes\nreturn redis.call('SET', KEYS[1], 'x')`,
      1,
      `${K}ro`,
    ]);
    expect(readOnly.status).toBe(400);
    expect(JSON.parse(readOnly.text).error).toMatch(/Write commands are not allowed from read-only scripts/);
  });

  it('a blocking command does not hold up other requests', async () => {
    const started = Date.now();
    const blocked = raw('/', ['blpop', `${K}never`, '0.5']);
    const ping = await raw('/', ['ping']);
    expect(ping.text).toBe('{"result":"UE9ORw=="}');
    expect(Date.now() - started).toBeLessThan(400);
    expect((await blocked).text).toBe('{"result":null}');
  });
});

describe('gateway lifecycle', () => {
  it('Redis unreachable gives JSON 500, and the SDK an UpstashError', async () => {
    const down = await startUpstashGateway({ redisUrl: 'redis://127.0.0.1:1', token: TOKEN });
    try {
      for (const path of ['/', '/pipeline', '/multi-exec']) {
        const res = await fetch(`${down.url}${path}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(path === '/' ? ['ping'] : [['ping']]),
        });
        expect(res.status).toBe(500);
        expect(res.headers.get('content-type')).toBe('application/json');
        expect(((await res.json()) as { error: string }).error).toMatch(
          /^ERR Redis at redis:\/\/127\.0\.0\.1:1 is unavailable/,
        );
      }
      const redis = new Redis({ url: down.url, token: TOKEN, enableAutoPipelining: false });
      await expect(redis.get('k')).rejects.toBeInstanceOf(errors.UpstashError);
    } finally {
      await down.close();
    }
  });

  it('close() stops the server and frees the port', async () => {
    const gw = await startUpstashGateway({ redisUrl: redisUrl(), token: TOKEN });
    const redis = new Redis({ url: gw.url, token: TOKEN, retry: false });
    expect(await redis.ping()).toBe('PONG');
    await gw.close();
    await expect(fetch(gw.url, { method: 'POST' })).rejects.toThrow();
  });

  it('an empty token is refused at start-up', async () => {
    await expect(startUpstashGateway({ redisUrl: redisUrl(), token: '' })).rejects.toThrow(/token is empty/);
  });
});

// A global database seen from a far edge (Upstash docs: howto/readyourwrites, features/consistency):
// writes pay the round trip to the primary, and a read carrying the sync token of a write waits
// until the replica has applied it; a client with readYourWrites off sends no token and never waits.
describe('replication profile: a far primary and sync tokens', () => {
  const RTT_MS = 120;
  const LAG_MS = 400;
  let far: RunningGateway;
  const K = `${PREFIX}repl:`;

  beforeAll(async () => {
    far = await startUpstashGateway({
      redisUrl: redisUrl(),
      token: TOKEN,
      port: 0,
      replication: { primaryRttMs: RTT_MS, replicationLagMs: LAG_MS },
    });
  });
  afterAll(async () => {
    await far?.close();
  });

  const client = (readYourWrites: boolean) =>
    new Redis({ url: far.url, token: TOKEN, readYourWrites, enableAutoPipelining: false });

  it('a write waits the round trip to the primary; a read does not', async () => {
    const redis = client(false);
    const t0 = performance.now();
    await redis.set(`${K}w`, '1');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(RTT_MS - 5);
    const before = far.stats();
    await redis.get(`${K}w`);
    const after = far.stats();
    expect(after.reads - before.reads).toBe(1);
    expect(after.writes - before.writes).toBe(0);
  });

  it('with readYourWrites on (the SDK default), the read after a write waits for the replica', async () => {
    const redis = client(true);
    await redis.set(`${K}ryw`, 'v');
    const before = far.stats();
    expect(await redis.get(`${K}ryw`)).toBe('v');
    const after = far.stats();
    expect(after.syncWaits - before.syncWaits).toBe(1);
    expect(after.syncWaitMs - before.syncWaitMs).toBeGreaterThan(LAG_MS / 2);
  });

  it('with readYourWrites off, the same read does not wait', async () => {
    const redis = client(false);
    await redis.set(`${K}off`, 'v');
    const before = far.stats();
    expect(await redis.get(`${K}off`)).toBe('v');
    expect(far.stats().syncWaits - before.syncWaits).toBe(0);
  });

  it('a token the replica has already reached, a foreign token and an empty one do not wait', async () => {
    const redis = client(true);
    await redis.set(`${K}old`, 'v');
    await sleep(LAG_MS + 50);
    const before = far.stats();
    await redis.get(`${K}old`);
    redis.readYourWritesSyncToken = 'not-one-of-ours';
    await redis.get(`${K}old`);
    redis.readYourWritesSyncToken = '';
    await redis.get(`${K}old`);
    expect(far.stats().syncWaits - before.syncWaits).toBe(0);
  });

  it('scripts and pipelines with a write go to the primary; EVAL_RO and read-only pipelines do not', async () => {
    const redis = client(false);
    const count = async (run: () => Promise<unknown>) => {
      const before = far.stats();
      await run();
      const after = far.stats();
      return { writes: after.writes - before.writes, reads: after.reads - before.reads };
    };
    expect(await count(() => redis.eval("return redis.call('SET', KEYS[1], '1')", [`${K}s`], []))).toEqual({
      writes: 1,
      reads: 0,
    });
    expect(await count(() => redis.evalRo("return redis.call('GET', KEYS[1])", [`${K}s`], []))).toEqual({
      writes: 0,
      reads: 1,
    });
    expect(await count(() => redis.pipeline().get(`${K}s`).incr(`${K}n`).exec())).toEqual({ writes: 1, reads: 0 });
    expect(await count(() => redis.pipeline().get(`${K}s`).ttl(`${K}s`).exec())).toEqual({ writes: 0, reads: 1 });
  });
});
