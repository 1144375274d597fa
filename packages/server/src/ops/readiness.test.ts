/** /readyz says a node is ready only when everything a request needs answers: the database, and Redis when set. */
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../test-support/redis.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

describe('GET /readyz', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('counts limits in the database without REDIS_URL', async () => {
    server = await startTestServer('sqlite');
    const res = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', database: 'sqlite', rate_limits: 'database' });
  });

  it('is ready with a Redis that answers', async () => {
    server = await startTestServer('sqlite', { env: { REDIS_URL: TEST_REDIS_URL } });
    const res = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ rate_limits: 'redis' });
  });

  it('is not ready while the Redis of REDIS_URL does not answer, and says so', async () => {
    server = await startTestServer('sqlite', { env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    const res = await server.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({ code: 'not_ready' });
    expect(res.json().error.message).toContain('Redis (REDIS_URL) does not answer');
  });
});
