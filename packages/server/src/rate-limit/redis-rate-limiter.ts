import type { Redis } from 'ioredis';
import { loadIoredis } from '../config/optional-modules.js';
import {
  counterKey,
  decide,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRule,
  windowOf,
} from './rate-limiter.js';

/** INCR and, on the first hit of a window, its expiry: one script, so the two cannot be separated by a crash. */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
`;

/** How long one hit may wait for Redis before the caller is told it is unavailable. */
const COMMAND_TIMEOUT_MS = 1000;
/** Connection errors are logged at most this often while Redis is down. */
const ERROR_LOG_INTERVAL_MS = 30_000;

export interface RedisRateLimiterOptions {
  /** Prepended to every key (tests give each suite its own). */
  keyPrefix?: string;
  onError?: (error: Error) => void;
}

type WithHit = Redis & { latchkeyHit(key: string, expiresMs: number): Promise<number> };

/**
 * Fixed windows in Redis (`REDIS_URL`): one Lua script per hit. The window comes from our injected clock (the key
 * names the window), so tests can move time; Redis's own expiry only cleans up. The connection is opened on the
 * first hit and re-opened by ioredis after an outage; while Redis is down a hit fails within about a second
 * instead of queueing, and `enforceRateLimit` decides what that means for the request.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: WithHit;
  private readonly prefix: string;
  private lastErrorLog = 0;
  /** The connection's own last failure ("connect ECONNREFUSED 127.0.0.1:6390"), kept for ping() to tell. */
  private lastConnectionError: Error | undefined;
  private readonly where: string;

  constructor(url: string, options: RedisRateLimiterOptions = {}) {
    this.prefix = options.keyPrefix ?? 'latchkey:rl:';
    this.where = redisAddress(url);
    const { Redis } = loadIoredis();
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: 2000,
      enableOfflineQueue: true,
    });
    redis.defineCommand('latchkeyHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    redis.on('error', (error: Error) => {
      this.lastConnectionError = error;
      const now = Date.now();
      if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
      this.lastErrorLog = now;
      options.onError?.(error);
    });
    this.redis = redis as WithHit;
  }

  async hit(key: string, rule: RateLimitRule, now: number): Promise<RateLimitDecision> {
    const { start } = windowOf(rule, now);
    const redisKey = `${this.prefix}${counterKey(key, rule)}:${start}`;
    // Kept a second past the window's length, whatever Redis's clock says about ours.
    const count = await this.redis.latchkeyHit(redisKey, rule.windowSeconds * 1000 + 1000);
    return decide(Number(count), rule, now);
  }

  /** Redis writes nothing to disk per hit: the exact count costs no more here. */
  hitLoosely(key: string, rule: RateLimitRule, now: number): Promise<RateLimitDecision> {
    return this.hit(key, rule, now);
  }

  async purgeExpired(): Promise<number> {
    return 0;
  }

  /**
   * Throws a sentence about the server (where it is, and what the connection saw) rather than ioredis's own
   * "Reached the max retries per request limit", which names an option of ours and not the cause.
   */
  async ping(): Promise<void> {
    try {
      await this.redis.ping();
      this.lastConnectionError = undefined;
    } catch (error) {
      const cause = this.lastConnectionError ?? (error instanceof Error ? error : undefined);
      throw new Error(`Redis at ${this.where} does not answer: ${causeOf(cause)}`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.redis.status === 'ready') {
      await this.redis.quit().catch(() => this.redis.disconnect());
    } else {
      this.redis.disconnect();
    }
  }
}

/** host:port of a redis:// URL, never its password. */
function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || '127.0.0.1'}:${parsed.port || '6379'}`;
  } catch {
    return 'REDIS_URL';
  }
}

function causeOf(error: Error | undefined): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ECONNREFUSED') return 'the connection was refused (is Redis running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'its host name does not resolve';
  if (code === 'ETIMEDOUT' || error?.message.includes('timed out') || error?.message.includes('timeout'))
    return 'it did not answer in time';
  if (error?.message.includes('NOAUTH') || error?.message.includes('WRONGPASS'))
    return 'it refused the password in REDIS_URL';
  return error?.message ?? 'no answer';
}
