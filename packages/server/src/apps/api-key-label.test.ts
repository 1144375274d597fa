/**
 * GET and PATCH /v1/api-keys/{key_id} {label}: reading one key, and the one change a key allows besides revoking it, on both databases. Scoped
 * like DELETE (an app's key renames its app's keys only; an admin key without an app, admin keys), validated, and
 * recorded as `api_key.updated`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import { createOtherApp, startTestServer, type TestServer } from '../test-support/test-server.js';

interface KeyBody {
  id: string;
  label: string;
  key: string;
  key_hint: string;
  revoked_at: string | null;
}

const errorOf = (res: { json(): unknown }) =>
  (res.json() as { error: { code: string; param?: string } }).error;

describe.each(DIALECTS)('labelling API keys on %s', (dialect) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(dialect);
  });
  afterAll(async () => server?.close());

  async function createKey(label: string, key = server.apiKey): Promise<KeyBody> {
    const res = await server.api('POST', '/v1/api-keys', { label }, key);
    expect(res.statusCode).toBe(201);
    return res.json() as KeyBody;
  }

  it('changes the label, answers the key without its secret, and lists it so', async () => {
    const key = await createKey('ci');
    const res = await server.api('PATCH', `/v1/api-keys/${key.id}`, { label: 'deploy pipeline' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: key.id, label: 'deploy pipeline', key_hint: key.key_hint });
    expect(res.body).not.toContain(key.key);
    const listed = (await server.api('GET', '/v1/api-keys?limit=500')).json() as { data: KeyBody[] };
    expect(listed.data.find((k) => k.id === key.id)?.label).toBe('deploy pipeline');
    // The key still works: a label is only a name.
    expect((await server.api('GET', `/v1/apps/${server.appId}`, undefined, key.key)).statusCode).toBe(200);
  });

  it('reads one key, revoked or not, never with its secret, and no key of another app', async () => {
    const key = await createKey('read me');
    const read = await server.api('GET', `/v1/api-keys/${key.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      id: key.id,
      label: 'read me',
      key_hint: key.key_hint,
      revoked_at: null,
    });
    expect(read.body).not.toContain(key.key);
    await server.api('DELETE', `/v1/api-keys/${key.id}`);
    expect((await server.api('GET', `/v1/api-keys/${key.id}`)).json()).toMatchObject({
      revoked_at: expect.any(String),
    });
    const other = await createOtherApp(server);
    expect((await server.api('GET', `/v1/api-keys/${key.id}`, undefined, other.key)).statusCode).toBe(404);
  });

  it('records api_key.updated with the new label and the acting key', async () => {
    const actor = await createKey('actor');
    const key = await createKey('old name');
    await server.api('PATCH', `/v1/api-keys/${key.id}`, { label: 'new name' }, actor.key);
    const rows = await server.ctx.store.listEvents(server.appId, { type: 'api_key.updated' }, { limit: 10 });
    expect(rows.map((row) => ({ subject: row.subject_id, data: JSON.parse(row.data) }))).toContainEqual({
      subject: key.id,
      data: { label: 'new name', actor_key_id: actor.id },
    });
  });

  it.each([
    [{ label: '' }, 'label'],
    [{ label: '   ' }, 'label'],
    [{ label: 'x'.repeat(201) }, 'label'],
    [{}, 'label'],
    [{ label: 'ok', kind: 'admin' }, 'kind'],
  ])('refuses %j naming %s, and changes nothing', async (body, param) => {
    const key = await createKey('kept');
    const res = await server.api('PATCH', `/v1/api-keys/${key.id}`, body);
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'validation_failed', param });
    const listed = (await server.api('GET', '/v1/api-keys?limit=500')).json() as { data: KeyBody[] };
    expect(listed.data.find((k) => k.id === key.id)?.label).toBe('kept');
  });

  it("is 404 for another app's key, which keeps its label", async () => {
    const other = await createOtherApp(server);
    const theirs = await createKey('theirs', other.key);
    const res = await server.api('PATCH', `/v1/api-keys/${theirs.id}`, { label: 'mine now' });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res).code).toBe('not_found');
    const listed = (await server.api('GET', '/v1/api-keys?limit=500', undefined, other.key)).json() as {
      data: KeyBody[];
    };
    expect(listed.data.find((k) => k.id === theirs.id)?.label).toBe('theirs');
  });

  it('labels admin keys with an admin key, and not with an app key', async () => {
    const admin = (
      await server.api('POST', '/v1/api-keys', { kind: 'admin', label: 'ops' }, server.adminKey)
    ).json() as KeyBody;
    const renamed = await server.api(
      'PATCH',
      `/v1/api-keys/${admin.id}`,
      { label: 'ops laptop' },
      server.adminKey,
    );
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ label: 'ops laptop' });
    expect((await server.api('PATCH', `/v1/api-keys/${admin.id}`, { label: 'x' })).statusCode).toBe(404);
  });
});
