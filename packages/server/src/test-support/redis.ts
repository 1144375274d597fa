/** The Redis the tests use (LATCHKEY_TEST_REDIS_URL, default the local one); each suite keeps to keys of its own. */
export const TEST_REDIS_URL = process.env.LATCHKEY_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
