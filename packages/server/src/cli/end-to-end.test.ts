/**
 * What a user does, over real sockets with the built CLI: init, start, create a link, open its page, press the
 * button, exchange the code, and verify the session token offline with the published JWKS.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callApi,
  freePort,
  runCli,
  type ServerProcess,
  startServerProcess,
} from '../test-support/cli-process.js';
import { createTestDatabase, type TestDatabase } from '../test-support/databases.js';

/** What a browser sends when the confirm page's button is pressed. */
const BUTTON_PRESS: RequestInit = {
  method: 'POST',
  redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: '',
};

interface InitOutput {
  app_id: string;
  api_key: string;
  admin_key: string;
}

describe('latchkey init and start on embedded SQLite', () => {
  let dataDir: string;
  let keys: InitOutput;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-e2e-'));
    const init = await runCli(['init', '--data-dir', dataDir, '--json']);
    expect(init.code, init.stderr).toBe(0);
    keys = JSON.parse(init.stdout) as InitOutput;
    server = await startServerProcess({ LATCHKEY_DATA_DIR: dataDir });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('init prints the app id and keys as JSON and keeps the master key private', () => {
    expect(keys.app_id).toMatch(/^app_/);
    expect(keys.api_key).toMatch(/^lk_sk_/);
    expect(keys.admin_key).toMatch(/^lk_admin_/);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
  });

  it('init refuses to run again on the same data, and --force-new-key issues working keys', async () => {
    const again = await runCli(['init', '--data-dir', dataDir, '--json']);
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/already initialised/);
    expect(again.stdout).toBe('');
    const forced = await runCli(['init', '--data-dir', dataDir, '--json', '--force-new-key']);
    expect(forced.code, forced.stderr).toBe(0);
    const fresh = JSON.parse(forced.stdout) as InitOutput;
    expect(fresh.app_id).toBe(keys.app_id);
    expect(fresh.api_key).not.toBe(keys.api_key);
    expect((await callApi(server.url, fresh.api_key, 'GET', `/v1/apps/${keys.app_id}`)).status).toBe(200);
    expect((await callApi(server.url, keys.api_key, 'GET', `/v1/apps/${keys.app_id}`)).status).toBe(200);
  });

  it('signs a person in from link creation to a verified session token', async () => {
    const patched = await callApi(server.url, keys.api_key, 'PATCH', `/v1/apps/${keys.app_id}`, {
      allowed_redirects: ['https://portal.example.com/auth'],
    });
    expect(patched.status).toBe(200);
    const created = await callApi(server.url, keys.api_key, 'POST', `/v1/apps/${keys.app_id}/magic-links`, {
      email: 'ada@example.com',
      redirect_url: 'https://portal.example.com/auth/done?tab=home',
    });
    expect(created.status).toBe(201);
    const url = created.body.magic_link.url as string;
    expect(url.startsWith(`${server.url}/l/`)).toBe(true);

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('a***@example.com');

    const post = await fetch(url, BUTTON_PRESS);
    expect(post.status).toBe(303);
    const location = new URL(post.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://portal.example.com/auth/done');
    expect(location.searchParams.get('tab')).toBe('home');
    const code = location.searchParams.get('lk_code')!;

    const exchanged = await callApi(server.url, keys.api_key, 'POST', '/v1/sessions/exchange', { code });
    expect(exchanged.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(exchanged.body.session.token, jwks, {
      issuer: server.url,
      audience: keys.app_id,
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(exchanged.body.user.id);
    expect(payload.sid).toBe(exchanged.body.session.id);
    expect(payload.amr).toEqual(['magic_link']);

    const perApp = createRemoteJWKSet(new URL(`${server.url}/v1/apps/${keys.app_id}/.well-known/jwks.json`));
    await expect(
      jwtVerify(exchanged.body.session.token, perApp, { audience: keys.app_id }),
    ).resolves.toBeDefined();
    expect((await fetch(url, BUTTON_PRESS)).status).toBe(410);
  });

  it('doctor reports the public URL the server uses, not only its own shell’s', async () => {
    const res = await runCli(['doctor', '--json'], {
      LATCHKEY_DATA_DIR: dataDir,
      LATCHKEY_PUBLIC_URL: 'http://elsewhere.example:9000',
    });
    const checks = (JSON.parse(res.stdout) as { checks: Array<{ name: string; detail: string }> }).checks;
    const detail = checks.find((c) => c.name === 'Public URL')?.detail;
    expect(detail).toContain(`the server that last started on this database uses ${server.url}`);
    expect(detail).toContain('this shell would use http://elsewhere.example:9000');
  });

  it('answers health, readiness, metrics and the OpenAPI document', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({
      status: 'ready',
      database: 'sqlite',
    });
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain('latchkey_http_requests_total');
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/magic-links', '/v1/sessions/exchange']),
    );
    expect((await fetch(`${server.url}/docs`)).status).toBe(200);
  });
});

describe('two server processes on one PostgreSQL', () => {
  let db: TestDatabase;
  let nodes: ServerProcess[] = [];
  const env = () => ({ DATABASE_URL: db.url, LATCHKEY_MASTER_KEY: masterKey, LATCHKEY_DATA_DIR: db.dataDir });
  const masterKey = randomBytes(32).toString('base64');

  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    // Both start together on an empty database: migrations run once and one of them creates the default app.
    nodes = await Promise.all([startServerProcess(env()), startServerProcess(env())]);
  });

  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await db.drop();
  });

  it('create exactly one default app and one session key when started together', async () => {
    const banners = nodes.filter((n) => n.output().includes('Admin key:'));
    expect(banners).toHaveLength(1);
    const [a, b] = await Promise.all(
      nodes.map(async (n) => (await fetch(`${n.url}/.well-known/jwks.json`)).json()),
    );
    expect(a).toEqual(b);
    expect((a as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('let exactly one of 50 concurrent redemptions, spread over both processes, succeed', async () => {
    const init = await runCli(['init', '--json', '--force-new-key'], env());
    expect(init.code, init.stderr).toBe(0);
    const keys = JSON.parse(init.stdout) as InitOutput;
    const [first, second] = nodes as [ServerProcess, ServerProcess];
    await callApi(first.url, keys.api_key, 'PATCH', `/v1/apps/${keys.app_id}`, {
      allowed_redirects: ['https://app.example.com'],
    });
    const created = await callApi(first.url, keys.api_key, 'POST', '/v1/magic-links', {
      email: 'race@example.com',
      redirect_url: 'https://app.example.com/in',
    });
    const token = new URL(created.body.magic_link.url as string).pathname.split('/').pop()!;
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${(i % 2 === 0 ? first : second).url}/l/${token}`, BUTTON_PRESS).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 410)).toHaveLength(49);
    const sessions = await callApi(
      second.url,
      keys.api_key,
      'GET',
      `/v1/sessions?user_id=${created.body.magic_link.user_id}`,
    );
    expect(sessions.body.data).toHaveLength(1);
  });
});

describe('latchkey start, refusing to start with a reason a person can act on', () => {
  it('names the master key when it is not the one the PostgreSQL database was set up with', async () => {
    const db = await createTestDatabase('postgres');
    try {
      const env = { DATABASE_URL: db.url, LATCHKEY_DATA_DIR: db.dataDir };
      const first = await startServerProcess({
        ...env,
        LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
      });
      await first.stop();
      const port = String(await freePort());
      const other = await runCli(['start', '--port', port], {
        ...env,
        LATCHKEY_MASTER_KEY: randomBytes(32).toString('base64'),
        LATCHKEY_LOG_LEVEL: 'warn',
      });
      expect(other.code).toBe(1);
      expect(other.stderr).toContain('The master key does not match the keys stored in the database');
      expect(other.stderr).not.toContain('Unsupported state');
    } finally {
      await db.drop();
    }
  }, 60_000);

  it('says the port is taken and how to choose another, and exits', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-port-'));
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = busy.address() as AddressInfo;
      const res = await runCli(['start', '--port', String(port)], {
        LATCHKEY_DATA_DIR: dataDir,
        LATCHKEY_LOG_LEVEL: 'warn',
      });
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`Port ${port} is already in use on 127.0.0.1`);
      expect(res.stderr).toContain('--port');
      expect(res.stderr).toContain('LATCHKEY_PORT');
    } finally {
      busy.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
