// Per-key rate limiting that puts no Redis round trip on the request path
// (docs/api.md#rate-limits): each isolate counts locally and reconciles with the global sliding
// window in Upstash in the background (waitUntil), batching its pending hits. If Upstash is down
// it fails open to the local count.
import { ApiError } from './errors.ts';
import { waitUntilOf } from './data-calls.ts';
import type { Guard } from './request-context.ts';

export interface RateRule {
  limit: number;
  windowMs: number;
}

/** The global side: counts `hits` for `id` and reports what is left (e.g. @upstash/ratelimit). */
export interface RateLimitBackend {
  hit(id: string, hits: number, rule: RateRule): Promise<{ remaining: number; resetAt: number }>;
}

export interface RateLimiterOptions {
  backend: RateLimitBackend;
  /** Rule for keys not listed; null = unlimited. */
  defaultRule: RateRule | null;
  /** Per-key rules (null = unlimited), keyed by the API key itself. */
  perKey: ReadonlyMap<string, RateRule | null>;
  /** Reconcile at least this often per key while it sends traffic, ms. Default 1000. */
  syncEveryMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

interface KeyState {
  windowStart: number;
  resetAt: number;
  /** Hits the global counter reported for the current window at the last sync. */
  globalUsed: number;
  /** Hits counted here and not yet sent. */
  pending: number;
  /** Hits sent and not yet acknowledged. */
  inflight: number;
  syncing: boolean;
  lastSync: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  resetAt: number;
}

export class RateLimiter {
  private readonly states = new Map<string, KeyState>();
  private readonly ids = new Map<string, string>();
  private readonly now: () => number;

  constructor(private readonly opts: RateLimiterOptions) {
    this.now = opts.now ?? Date.now;
  }

  ruleFor(key: string): RateRule | null {
    return this.opts.perKey.has(key) ? this.opts.perKey.get(key)! : this.opts.defaultRule;
  }

  /** A stable, non-secret identifier for a key (FNV-1a of the key): never the key itself. */
  private idFor(key: string): string {
    let id = this.ids.get(key);
    if (!id) {
      let h1 = 0x811c9dc5;
      let h2 = 0x01000193;
      for (let i = 0; i < key.length; i++) {
        h1 = Math.imul(h1 ^ key.charCodeAt(i), 16777619);
        h2 = Math.imul(h2 ^ key.charCodeAt(key.length - 1 - i), 2246822519);
      }
      id = `k${(h1 >>> 0).toString(36)}${(h2 >>> 0).toString(36)}`;
      this.ids.set(key, id);
    }
    return id;
  }

  /** Decides locally at once; returns background work (the reconcile) when one is due. */
  check(key: string): { decision: RateDecision | null; pending?: Promise<void> } {
    const rule = this.ruleFor(key);
    if (!rule) return { decision: null };
    const t = this.now();
    let s = this.states.get(key);
    if (!s || t >= s.resetAt) {
      const windowStart = s && t < s.resetAt + rule.windowMs ? s.resetAt : t;
      s = {
        windowStart,
        resetAt: windowStart + rule.windowMs,
        globalUsed: 0,
        pending: 0,
        inflight: 0,
        syncing: false,
        lastSync: s?.lastSync ?? 0,
      };
      this.states.set(key, s);
    }
    const used = s.globalUsed + s.inflight + s.pending;
    const allowed = used < rule.limit;
    if (allowed) s.pending++;
    const decision = {
      allowed,
      limit: rule.limit,
      remaining: Math.max(0, rule.limit - used - (allowed ? 1 : 0)),
      resetAt: s.resetAt,
    };
    const due =
      !s.syncing &&
      s.pending > 0 &&
      (t - s.lastSync >= (this.opts.syncEveryMs ?? 1000) || s.pending >= rule.limit / 10);
    return due ? { decision, pending: this.sync(key, s, rule) } : { decision };
  }

  private async sync(key: string, s: KeyState, rule: RateRule): Promise<void> {
    const hits = s.pending;
    s.pending = 0;
    s.inflight = hits;
    s.syncing = true;
    s.lastSync = this.now();
    try {
      const r = await this.opts.backend.hit(this.idFor(key), hits, rule);
      s.globalUsed = Math.max(s.globalUsed + hits, rule.limit - r.remaining);
      if (r.resetAt > s.windowStart) s.resetAt = Math.min(s.resetAt, r.resetAt);
    } catch (err) {
      // Fail open: keep counting locally; the hits stay counted in globalUsed.
      s.globalUsed += hits;
      this.opts.onError?.(err);
    } finally {
      s.inflight = 0;
      s.syncing = false;
    }
  }
}

/** The guard of a keyed route after the key check: a 429 over the caller's limit, else its headers. */
export function rateLimit(limiter: RateLimiter): Guard {
  return function rateLimit(c) {
    const { decision, pending } = limiter.check(c.req.header('x-api-key') ?? '');
    if (pending) waitUntilOf(c)(pending);
    if (!decision) return;
    const resetSeconds = Math.max(0, Math.ceil((decision.resetAt - Date.now()) / 1000));
    const headers = {
      'X-RateLimit-Limit': String(decision.limit),
      'X-RateLimit-Remaining': String(decision.remaining),
      'X-RateLimit-Reset': String(Math.ceil(decision.resetAt / 1000)),
    };
    if (!decision.allowed) {
      throw new ApiError(
        429,
        'Too Many Requests',
        `Rate limit of ${decision.limit} requests exceeded; retry in ${resetSeconds} s`,
        {},
        {
          ...headers,
          'Retry-After': String(Math.max(1, resetSeconds)),
        },
      );
    }
    c.set('extraHeaders', { ...c.get('extraHeaders'), ...headers });
  };
}

/** Parses "100/60s", "5000/1h", "unlimited" (the RATE_LIMIT_DEFAULT / RATE_LIMITS syntax). */
export function parseRule(text: string): RateRule | null {
  const t = text.trim();
  if (t === 'unlimited' || t === 'off') return null;
  const m = /^(\d+)\s*\/\s*(\d+)?\s*(ms|s|m|h)$/.exec(t);
  if (!m) throw new Error(`invalid rate limit '${t}': use e.g. 600/60s, 100/1m or unlimited`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[3] as 'ms' | 's' | 'm' | 'h'];
  const limit = Number(m[1]);
  const windowMs = Number(m[2] ?? 1) * unit;
  if (limit < 1 || windowMs < 1000) throw new Error(`invalid rate limit '${t}': limit ≥ 1 and window ≥ 1 s`);
  return { limit, windowMs };
}

/** Parses RATE_LIMITS: "key1=100/60s,key2=unlimited". */
export function parsePerKey(text: string | undefined): Map<string, RateRule | null> {
  const out = new Map<string, RateRule | null>();
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    if (eq <= 0) throw new Error('invalid RATE_LIMITS entry: use KEY=LIMIT/WINDOW, e.g. mykey=100/60s');
    out.set(part.slice(0, eq).trim(), parseRule(part.slice(eq + 1)));
  }
  return out;
}
