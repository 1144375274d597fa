/**
 * Serving the dashboard: hashed assets cached for good, every other path the app's page with no-store and a strict
 * CSP, /dashboard/api/* left to the API, a page that says what to do when nothing was built, and nothing at all
 * when LATCHKEY_DASHBOARD=false. A folder made here stands in for the build, so the tests do not depend on it; one
 * test reads the real build that `npm run build` made.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../server.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { BUILT_DASHBOARD } from './dashboard-static.js';

const INDEX =
  '<!doctype html><html><head><script type="module" src="/dashboard/assets/index-AbC123.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = 'console.log("dashboard");\n'.repeat(40);
const IMMUTABLE = 'public, max-age=31536000, immutable';

describe('the dashboard, served', () => {
  let server: TestServer;
  let app: FastifyInstance;
  let notBuilt: FastifyInstance;
  let real: FastifyInstance;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), INDEX);
    writeFileSync(join(dir, 'assets', 'index-AbC123.js'), SCRIPT);
    writeFileSync(join(dir, 'assets', 'index-AbC123.js.gz'), gzipSync(SCRIPT));
    writeFileSync(join(dir, 'secret.txt'), 'not an asset');
    server = await startTestServer('sqlite');
    app = await buildServer(server.ctx, { dashboardDir: dir });
    notBuilt = await buildServer(server.ctx, { dashboardDir: join(dir, 'nothing-here') });
    real = await buildServer(server.ctx);
  });
  afterAll(async () => {
    await Promise.all([app?.close(), notBuilt?.close(), real?.close()]);
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a hashed asset as immutable, compressed when the browser accepts it', async () => {
    const plain = await app.inject({ method: 'GET', url: '/dashboard/assets/index-AbC123.js' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
    expect(plain.headers['content-type']).toMatch(/javascript/);
    expect(plain.body).toBe(SCRIPT);

    const gzipped = await app.inject({
      method: 'GET',
      url: '/dashboard/assets/index-AbC123.js',
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers['cache-control']).toBe(IMMUTABLE);
    expect(gzipped.headers.vary).toMatch(/accept-encoding/i);
  });

  it.each([
    '/dashboard',
    '/dashboard/',
    '/dashboard/links',
    '/dashboard/api-keys',
    '/dashboard/sign-in?next=x',
  ])(
    'answers %s with the app page, never cached, under a CSP with no outside origin and no inline script',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|data:|\*/);
      expect(res.headers['x-frame-options']).toBe('DENY');
    },
  );

  it('answers the preview frame empty, under a CSP of its own: styles inline, never a script, framed only here', async () => {
    const res = await app.inject({ method: 'GET', url: '/dashboard/preview-frame' });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/<script/i);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain('sandbox allow-same-origin');
    expect(csp).not.toMatch(/script-src|unsafe-eval/);
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('leaves /dashboard/api/* to the API: an unknown path is its JSON 404, not the page', async () => {
    for (const url of ['/dashboard/api/unknown', '/dashboard/api', '/dashboard/api/v1/nothing?x=1']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toMatch(/application\/json/);
      expect(res.json().error.code, url).toBe('route_not_found');
    }
  });

  it('answers a missing asset with a 404, not the page (a stale tab must not run HTML as script)', async () => {
    const res = await app.inject({ method: 'GET', url: '/dashboard/assets/index-gone.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('route_not_found');
  });

  it('serves nothing outside the assets folder through it', async () => {
    for (const url of [
      '/dashboard/assets/../secret.txt',
      '/dashboard/assets/%2e%2e/secret.txt',
      '/dashboard/assets/..%2fsecret.txt',
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('not an asset');
      expect(res.headers['cache-control'], url).not.toBe(IMMUTABLE);
    }
  });

  it('says to run npm run build when there is no build, with a 503', async () => {
    for (const url of ['/dashboard/', '/dashboard/links', '/dashboard/assets/index-AbC123.js']) {
      const res = await notBuilt.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['content-type'], url).toMatch(/text\/html/);
      expect(res.headers['cache-control'], url).toBe('no-store');
      expect(res.body, url).toContain('npm run build');
    }
  });

  it('serves the real build: its page names scripts that are there, and immutable', async () => {
    const html = readFileSync(join(BUILT_DASHBOARD, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).toMatch(/^\/dashboard\/assets\/[\w-]+-[\w-]{8}\.js$/);
      const res = await real.inject({ method: 'GET', url: src });
      expect(res.statusCode, src).toBe(200);
      expect(res.headers['cache-control'], src).toBe(IMMUTABLE);
    }
    const page = await real.inject({ method: 'GET', url: '/dashboard/links' });
    expect(page.body).toBe(html);
    // Nothing in the page itself runs or styles inline: the CSP would refuse it.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });
});

describe('LATCHKEY_DASHBOARD=false', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('sqlite', { env: { LATCHKEY_DASHBOARD: 'false' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each(['/dashboard', '/dashboard/', '/dashboard/links', '/dashboard/assets/index-AbC123.js'])(
    'answers %s with the JSON 404 of a path that does not exist',
    async (url) => {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('route_not_found');
    },
  );
});
