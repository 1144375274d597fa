import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type ServerProcess, startServerProcess } from '../test-support/cli-process.js';

const SECRET = 'lk_hs_cli-test-secret-0123456789abcdefghijklmnopq';
const BASE = 'https://auth.example.com';
/** Keeps a signing key in the developer's environment out of these runs. */
const NO_ENV_KEY = { LATCHKEY_SIGNING_KEY: '', LATCHKEY_SIGNING_KID: '' };

interface Signed {
  token: string;
  url: string;
  expires_at: string;
}

async function sign(args: string[], env: Record<string, string> = {}) {
  const result = await runCli(['token', 'sign', ...args], { ...NO_ENV_KEY, ...env });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

async function signJson(args: string[], env: Record<string, string> = {}): Promise<Signed> {
  return JSON.parse((await sign([...args, '--json'], env)).stdout) as Signed;
}

function verify(token: string, secret = SECRET) {
  return jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
}

describe('latchkey token sign', () => {
  it('prints the token, its URL and its expiry as JSON', async () => {
    const before = Math.floor(Date.now() / 1000);
    const out = await signJson([
      '--sub',
      '1234',
      '--key',
      SECRET,
      '--url',
      BASE,
      '--redirect-to',
      'invoices',
      '--ttl',
      '3600',
    ]);
    expect(Object.keys(out).sort()).toEqual(['expires_at', 'token', 'url']);
    expect(out.url).toBe(`${BASE}/login/${out.token}?redirect_to=invoices`);
    const { payload, protectedHeader } = await verify(out.token);
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.sub).toBe(1234);
    expect(typeof payload.iss).toBe('string');
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(new Date(out.expires_at).getTime()).toBe(payload.exp! * 1000);
  });

  it('signs for an hour by default', async () => {
    const { token } = await signJson(['--sub', '1', '--key', SECRET]);
    const { payload } = await verify(token);
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('keeps a customer id that is not all digits as a string', async () => {
    const { token } = await signJson(['--sub', 'cus_42', '--key', SECRET]);
    expect((await verify(token)).payload.sub).toBe('cus_42');
  });

  it('keeps the leading zeros of a customer id', async () => {
    const { token } = await signJson(['--sub', '007', '--key', SECRET]);
    expect((await verify(token)).payload.sub).toBe('007');
  });

  it('keeps a customer id too long for a safe number as a string', async () => {
    const { token } = await signJson(['--sub', '12345678901234567890', '--key', SECRET]);
    expect((await verify(token)).payload.sub).toBe('12345678901234567890');
  });

  it('puts --kid in the header, --jti and --iss in the claims', async () => {
    const { token } = await signJson([
      '--sub',
      '9',
      '--key',
      SECRET,
      '--kid',
      'sk_abc',
      '--jti',
      'inv-1',
      '--iss',
      'billing',
    ]);
    expect(decodeProtectedHeader(token).kid).toBe('sk_abc');
    expect((await verify(token)).payload).toMatchObject({ jti: 'inv-1', iss: 'billing' });
  });

  it('takes the key and kid from LATCHKEY_SIGNING_KEY and LATCHKEY_SIGNING_KID', async () => {
    const { token } = await signJson(['--sub', '5'], {
      LATCHKEY_SIGNING_KEY: SECRET,
      LATCHKEY_SIGNING_KID: 'sk_env',
    });
    expect(decodeProtectedHeader(token).kid).toBe('sk_env');
    await verify(token);
  });

  it('uses the /apps/{app_id}/login path form with --app', async () => {
    const out = await signJson(['--sub', '5', '--key', SECRET, '--url', `${BASE}/`, '--app', 'app_x']);
    expect(out.url).toBe(`${BASE}/apps/app_x/login/${out.token}`);
  });

  it('prints only the URL without --json', async () => {
    const { stdout } = await sign(['--sub', '5', '--key', SECRET, '--url', BASE]);
    expect(stdout).toMatch(/^https:\/\/auth\.example\.com\/login\/[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('exits 2 with a message when no key is given', async () => {
    const result = await runCli(['token', 'sign', '--sub', '1234'], NO_ENV_KEY);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--key|LATCHKEY_SIGNING_KEY/);
    expect(result.stdout).toBe('');
  });

  it.each(['abc', '0', '1.5', ''])('exits 2 with a message for --ttl %j', async (ttl) => {
    const result = await runCli(['token', 'sign', '--sub', '1', '--key', SECRET, '--ttl', ttl], NO_ENV_KEY);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--ttl/);
    expect(result.stdout).toBe('');
  });

  it('exits 2 without --sub', async () => {
    const result = await runCli(['token', 'sign', '--key', SECRET], NO_ENV_KEY);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--sub/);
  });
});

describe('a CLI-signed link against a running server', () => {
  let dataDir: string;
  let server: ServerProcess;
  let init: { app_id: string; api_key: string; signing_key: { kid: string; secret: string } };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'latchkey-token-'));
    const result = await runCli(['init', '--data-dir', dataDir, '--json']);
    expect(result.code, result.stderr).toBe(0);
    init = JSON.parse(result.stdout);
    server = await startServerProcess({ LATCHKEY_DATA_DIR: dataDir });
    const patched = await fetch(`${server.url}/v1/apps/${init.app_id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${init.api_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        allowed_redirects: ['https://app.example.com'],
        page_shortcuts: {
          my_account: 'https://app.example.com/my_account',
          invoices: 'https://app.example.com/invoices',
        },
        default_shortcut: 'my_account',
      }),
    });
    expect(patched.status, await patched.text()).toBe(200);
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a signing key from init', () => {
    expect(init.signing_key.kid).toMatch(/^sk_[0-9a-z]{26}$/);
    expect(init.signing_key.secret).toMatch(/^lk_hs_/);
  });

  it('signs a link that the server redeems into the invoices shortcut', async () => {
    const { url } = await signJson([
      '--sub',
      '1234',
      '--key',
      init.signing_key.secret,
      '--kid',
      init.signing_key.kid,
      '--url',
      server.url,
      '--redirect-to',
      'invoices',
    ]);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res.status, await res.text()).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe('https://app.example.com/invoices');
    const exchanged = await fetch(`${server.url}/v1/sessions/exchange`, {
      method: 'POST',
      headers: { authorization: `Bearer ${init.api_key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: location.searchParams.get('lk_code') }),
    });
    expect(exchanged.status).toBe(200);
    const body = (await exchanged.json()) as { user: { external_id: string } };
    expect(body.user.external_id).toBe('1234');
  });

  it('signs a link without kid that the server gives to the default app', async () => {
    const { url } = await signJson(['--sub', '77', '--key', init.signing_key.secret, '--url', server.url]);
    const res = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(res.status, await res.text()).toBe(303);
    expect(res.headers.get('location')).toMatch(/^https:\/\/app\.example\.com\/my_account\?lk_code=/);
  });
});
