/**
 * What a running server has loaded: `latchkey start` on embedded SQLite, after it has answered a link creation,
 * must not hold the modules that only other setups or rarer requests need (docs/decisions.md, "Memory"). Each costs
 * resident memory for the life of the process; a static import added somewhere would bring it back at start,
 * which no timing or memory figure in a test would notice reliably, but the list of loaded modules does.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, runCli, type ServerProcess, startServerProcess } from '../test-support/cli-process.js';
import { eventually } from '../test-support/eventually.js';

/** Packages a SQLite server creating links never needs, and why each is loaded only later. */
const NOT_AT_START = [
  'pg', // PostgreSQL, only with DATABASE_URL
  'ioredis', // Redis, only with REDIS_URL
  'nodemailer', // SMTP, with the first email over LATCHKEY_SMTP_URL
  'undici', // the pinned connections of webhook deliveries, with the first delivery
  'qrcode', // QR codes, with the first one drawn
  'libphonenumber-js', // phone numbers, with the first one
  '@opentelemetry/sdk-trace-base', // tracing, only when configured
];

/**
 * Loaded into the server with `--import`: records every module the ES loader loads (from its hooks thread) and,
 * on SIGUSR2, every CommonJS module in require's cache, both as lines of files next to it.
 */
const HOOKS = `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LATCHKEY_TEST_MODULE_LOG, url + '\\n');
  return next(url, context);
}`;
const PRELOAD = `
import { register, createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
register('./hooks.mjs', import.meta.url);
const require = createRequire(import.meta.url);
process.on('SIGUSR2', () => {
  writeFileSync(process.env.LATCHKEY_TEST_MODULE_LOG + '.cjs', Object.keys(require.cache).join('\\n'));
});`;

/** The package a loaded file belongs to (`@scope/name` or `name`), or null for a file outside node_modules. */
function packageOf(file: string): string | null {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
  return match?.[1] ?? null;
}

describe('what `latchkey start` loads on SQLite', () => {
  let dir: string;
  let server: ServerProcess;
  let apiKey: string;
  const log = () => join(dir, 'modules.log');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-modules-'));
    writeFileSync(join(dir, 'hooks.mjs'), HOOKS);
    writeFileSync(join(dir, 'preload.mjs'), PRELOAD);
    const init = await runCli(['init', '--data-dir', join(dir, 'data'), '--json']);
    expect(init.code, init.stderr).toBe(0);
    apiKey = (JSON.parse(init.stdout) as { api_key: string }).api_key;
    const preload = pathToFileURL(join(dir, 'preload.mjs')).href;
    server = await startServerProcess({
      LATCHKEY_DATA_DIR: join(dir, 'data'),
      LATCHKEY_TEST_MODULE_LOG: log(),
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
    });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every package with a file loaded so far, by either loader. */
  async function loadedPackages(): Promise<Set<string>> {
    rmSync(`${log()}.cjs`, { force: true });
    server.child.kill('SIGUSR2');
    const cjs = await eventually('the list of CommonJS modules', async () => {
      try {
        return readFileSync(`${log()}.cjs`, 'utf8');
      } catch {
        return undefined;
      }
    });
    const files = [...readFileSync(log(), 'utf8').split('\n'), ...cjs.split('\n')];
    return new Set(files.flatMap((file) => packageOf(file) ?? []));
  }

  it('holds none of the optional packages after creating a link', async () => {
    const created = await callApi(server.url, apiKey, 'POST', '/v1/magic-links', {
      email: 'ada@example.com',
      redirect_url: 'http://localhost:3000/in',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const loaded = await loadedPackages();
    // The recording works: what every request needs is there.
    expect(loaded).toContain('fastify');
    expect(loaded).toContain('better-sqlite3');
    expect(NOT_AT_START.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('loads qrcode when the first QR code is drawn', async () => {
    const created = await callApi(server.url, apiKey, 'POST', '/v1/magic-links', {
      email: 'ada@example.com',
      redirect_url: 'http://localhost:3000/in',
    });
    const qr = await fetch(`${server.url}/v1/qr`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: created.body.magic_link.url }),
    });
    expect(qr.status, await qr.clone().text()).toBe(200);
    expect(await loadedPackages()).toContain('qrcode');
  });
});
