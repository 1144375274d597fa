/**
 * Moving a Passage user base over: `latchkey users import --from passage` against a real, listening server, run
 * twice, and Passage's create-link path taking the Passage id afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/cli-process.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

describe('latchkey users import --from passage', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer('sqlite');
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    env = {
      LATCHKEY_URL: `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`,
      LATCHKEY_API_KEY: server.apiKey,
    };
    dir = mkdtempSync(join(tmpdir(), 'latchkey-import-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // As Passage's API answers users.
  const exported = [
    {
      id: 'k9Bq3sT2vXyZ0aB1cD2eF3',
      email: 'ada@example.com',
      email_verified: true,
      phone: '',
      phone_verified: false,
      status: 'active',
      user_metadata: { plan: 'pro' },
      created_at: '2025-03-01T10:00:00Z',
    },
    {
      id: 'Zr8wQ1pL0mN9kJ7hG5fD3s',
      email: '',
      phone: '+44 (0) 20 7946 0958',
      phone_verified: true,
      status: 'inactive',
      user_metadata: null,
      created_at: '2025-04-01T10:00:00Z',
    },
    { id: 'Bad0email0000000000000x', email: 'not-an-email', status: 'active' },
  ];

  it('imports each row with its id as external_id, reports per row, and updates instead of duplicating on a re-run', async () => {
    const file = join(dir, 'passage-users.json');
    writeFileSync(file, JSON.stringify({ users: exported }));
    const first = await runCli(['users', 'import', '--from', 'passage', file, '--json'], env);
    expect(first.code, first.stderr).toBe(4);
    const lines = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toMatchObject([
      { row: 1, passage_id: exported[0]!.id, status: 'created' },
      { row: 2, passage_id: exported[1]!.id, status: 'created' },
      { row: 3, passage_id: exported[2]!.id, status: 'failed', code: 'invalid_email' },
    ]);
    expect(first.stderr).toContain('2 created, 0 updated, 1 failed');

    const ada = (await server.api('GET', `/v1/users/${lines[0].user_id}`)).json();
    expect(ada).toMatchObject({
      email: 'ada@example.com',
      email_verified: true,
      external_id: exported[0]!.id,
      metadata: { plan: 'pro', passage: { status: 'active', created_at: '2025-03-01T10:00:00Z' } },
    });
    const phone = (await server.api('GET', `/v1/users/${lines[1].user_id}`)).json();
    expect(phone).toMatchObject({
      phone: '+442079460958',
      phone_verified: true,
      external_id: exported[1]!.id,
    });

    const again = await runCli(['users', 'import', '--from', 'passage', file, '--json'], env);
    const second = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(second.map((o) => o.status)).toEqual(['updated', 'updated', 'failed']);
    expect(second[0].user_id).toBe(lines[0].user_id);
    const found = await server.api('GET', `/v1/users?external_id=${exported[0]!.id}`);
    expect(found.json().data).toHaveLength(1);
  });

  it('reads the same export as CSV', async () => {
    const file = join(dir, 'passage-users.csv');
    writeFileSync(
      file,
      'id,email,email_verified,phone,phone_verified,status,user_metadata,created_at\n' +
        'Csv0user000000000000001,csv@example.com,true,,,active,"{""team"":""a""}",2025-05-01T00:00:00Z\n',
    );
    const res = await runCli(['users', 'import', '--from', 'passage', file], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^row 1 {2}Csv0user000000000000001 {2}created {2}usr_/);
    const user = (await server.api('GET', '/v1/users?external_id=Csv0user000000000000001')).json().data[0];
    expect(user).toMatchObject({ email: 'csv@example.com', email_verified: true, metadata: { team: 'a' } });
  });

  it("takes a Passage id in user_id on Passage's create-link path, and says so when no user has it", async () => {
    const created = await server.api('POST', `/v1/apps/${server.appId}/magic-links`, {
      user_id: exported[0]!.id,
    });
    expect(created.statusCode, created.body).toBe(201);
    const user = (await server.api('GET', `/v1/users?external_id=${exported[0]!.id}`)).json().data[0];
    expect(created.json().magic_link.user_id).toBe(user.id);
    const unknown = await server.api('POST', `/v1/apps/${server.appId}/magic-links`, {
      user_id: 'NoSuchPassageId',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'user_not_found', param: 'user_id' });
    // The other path keeps its strict id.
    const strict = await server.api('POST', '/v1/magic-links', { user_id: exported[0]!.id });
    expect(strict.statusCode).toBe(400);
  });
});
