import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { DatabaseRateLimiter } from './database-rate-limiter.js';
import type { RateLimitStore } from './rate-limit-store.js';
import type { RateLimiter } from './rate-limiter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';

/** Redis when `REDIS_URL` is set, else the database every process already shares. */
export function createRateLimiter(config: Config, store: RateLimitStore, logger: Logger): RateLimiter {
  if (!config.redisUrl) return new DatabaseRateLimiter(store);
  return new RedisRateLimiter(config.redisUrl, {
    onError: (error) => logger.warn({ err: error }, 'Redis (rate limits) is unreachable; retrying'),
  });
}
