/** The webhook endpoint API: create, list, read, change, disable, delete, rotate; isolation between apps. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../crypto/tokens.js';
import { DIALECTS } from '../test-support/databases.js';
import { createOtherApp, startTestServer, type TestServer } from '../test-support/test-server.js';
import { WEBHOOK_EVENT_TYPES } from './event-types.js';

describe.each(DIALECTS)('webhook endpoints on %s', (dialect) => {
  let server: TestServer;
  let keyId: string;

  beforeAll(async () => {
    server = await startTestServer(dialect, { env: { LATCHKEY_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    keyId = (await server.ctx.store.findApiKeyByHash(hashSecret(server.apiKey)))!.id;
  });
  afterAll(() => server.close());

  it('lists the event types an endpoint may subscribe to, each described', async () => {
    const res = await server.api('GET', '/v1/webhook-event-types');
    expect(res.statusCode, res.body).toBe(200);
    const { data } = res.json() as { data: Array<{ type: string; description: string }> };
    expect(data.map((t) => t.type)).toEqual(WEBHOOK_EVENT_TYPES);
    expect(data.find((t) => t.type === 'magic_link.redeemed')?.description).toBe(
      'A link was used to sign in.',
    );
    // The test event is sent on request only: nobody subscribes to it.
    expect(data.map((t) => t.type)).not.toContain('webhook.test');
  });

  it('creates an endpoint, shows its secret once, and records who did it', async () => {
    const res = await server.api('POST', '/v1/webhook-endpoints', {
      url: 'http://127.0.0.1:9/hook',
      event_types: ['magic_link.redeemed', 'session.created', 'magic_link.redeemed'],
      description: 'CRM sync',
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      event_types: ['magic_link.redeemed', 'session.created'],
      description: 'CRM sync',
      status: 'enabled',
      app_id: server.appId,
    });
    expect(created.id).toMatch(/^whe_[0-9a-z]{26}$/);
    expect(created.secret).toMatch(/^whsec_/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    expect(created.secret.startsWith(created.secret_hint.replace('…', ''))).toBe(true);

    const read = (await server.api('GET', `/v1/webhook-endpoints/${created.id}`)).json();
    expect(read.secret).toBeUndefined();
    const list = (await server.api('GET', '/v1/webhook-endpoints')).json();
    expect(list.data.map((e: { id: string }) => e.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    // Stored sealed, never in clear.
    const row = await server.ctx.store.getWebhookEndpoint(server.appId, created.id);
    expect(row!.secret).not.toContain(created.secret.slice(6));

    const events = (await server.api('GET', '/v1/events?type=webhook_endpoint.created')).json().data;
    expect(events[0]).toMatchObject({
      subject_id: created.id,
      data: { webhook_endpoint_id: created.id, actor_key_id: keyId },
    });
    expect(JSON.stringify(events)).not.toContain(created.secret);
  });

  it('changes, disables, rotates and deletes, each recorded with the acting key', async () => {
    const { id } = (
      await server.api('POST', '/v1/webhook-endpoints', { url: 'https://hooks.example.net/a' })
    ).json();
    const patched = await server.api('PATCH', `/v1/webhook-endpoints/${id}`, {
      description: 'new',
      event_types: ['*'],
      enabled: false,
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({
      description: 'new',
      event_types: ['*'],
      status: 'disabled',
      disabled_reason: 'manual',
    });
    const rotated = await server.api('POST', `/v1/webhook-endpoints/${id}/rotate-secret`);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().previous_secret_expires_at).not.toBeNull();
    const deleted = await server.api('DELETE', `/v1/webhook-endpoints/${id}`);
    expect(deleted.json()).toEqual({ id, deleted: true });
    expect((await server.api('GET', `/v1/webhook-endpoints/${id}`)).statusCode).toBe(404);
    expect((await server.api('DELETE', `/v1/webhook-endpoints/${id}`)).statusCode).toBe(404);

    const audit = (await server.api('GET', `/v1/events?limit=10`))
      .json()
      .data.filter((e: { subject_id: string }) => e.subject_id === id);
    expect(audit.map((e: { type: string }) => e.type)).toEqual([
      'webhook_endpoint.deleted',
      'webhook_endpoint.secret_rotated',
      'webhook_endpoint.updated',
      'webhook_endpoint.created',
    ]);
    for (const e of audit) expect(e.data.actor_key_id).toBe(keyId);
    expect(audit[2].data.changed.sort()).toEqual(['description', 'enabled', 'event_types']);
  });

  it.each([
    [{ url: 'https://hooks.example.net/a', event_types: [] }, 'event_types'],
    [{ url: 'https://hooks.example.net/a', event_types: ['no.such_type'] }, 'event_types'],
    [{ url: 'https://hooks.example.net/a', extra: 1 }, undefined],
    [{ url: 42 }, undefined],
    [{}, undefined],
    [{ url: 'https://hooks.example.net/a', description: 'x'.repeat(501) }, undefined],
  ])('refuses %j with a 400 and stores nothing', async (body, param) => {
    const before = (await server.api('GET', '/v1/webhook-endpoints?limit=500')).json().data.length;
    const res = await server.api('POST', '/v1/webhook-endpoints', body);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    if (param) expect(res.json().error.param).toMatch(new RegExp(`^${param}`));
    expect((await server.api('GET', '/v1/webhook-endpoints?limit=500')).json().data.length).toBe(before);
  });

  it('keeps apps apart', async () => {
    const { id } = (
      await server.api('POST', '/v1/webhook-endpoints', { url: 'https://hooks.example.net/mine' })
    ).json();
    const other = await createOtherApp(server);
    expect((await server.api('GET', `/v1/webhook-endpoints/${id}`, undefined, other.key)).statusCode).toBe(
      404,
    );
    expect(
      (await server.api('PATCH', `/v1/webhook-endpoints/${id}`, { enabled: false }, other.key)).statusCode,
    ).toBe(404);
    expect((await server.api('DELETE', `/v1/webhook-endpoints/${id}`, undefined, other.key)).statusCode).toBe(
      404,
    );
    expect(
      (await server.api('POST', `/v1/webhook-endpoints/${id}/rotate-secret`, undefined, other.key))
        .statusCode,
    ).toBe(404);
    expect((await server.api('GET', '/v1/webhook-endpoints', undefined, other.key)).json().data).toEqual([]);
    expect((await server.api('GET', `/v1/webhook-endpoints/${id}`)).json().status).toBe('enabled');
  });

  it('needs a key', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/v1/webhook-endpoints' });
    expect(res.statusCode).toBe(401);
  });

  it('documents every event type and its payload in the OpenAPI document', async () => {
    const doc = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const type of [
      'user.created',
      'user.verified',
      'magic_link.created',
      'magic_link.sent',
      'magic_link.delivery_failed',
      'magic_link.opened',
      'magic_link.redeemed',
      'magic_link.revoked',
      'magic_link.expired',
      'session.created',
      'session.revoked',
      'login.code_failed',
      'rate_limit.hit',
    ]) {
      const hook = doc.webhooks[type];
      expect(hook, type).toBeDefined();
      expect(hook.post['x-version']).toBe(1);
      const schema = hook.post.requestBody.content['application/json'].schema;
      expect(schema.required).toEqual(['type', 'timestamp', 'data']);
    }
    expect(doc.paths['/v1/webhook-endpoints']).toBeDefined();
    expect(doc.paths['/v1/events']).toBeDefined();
    expect(doc.paths['/v1/stats']).toBeDefined();
  });
});
