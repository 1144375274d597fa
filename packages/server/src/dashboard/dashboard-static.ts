/**
 * The operators' dashboard, as files: the React app that packages/dashboard builds into this package's
 * `dashboard/` folder (docs/dashboard.md). Hashed assets are cached for good; every other path under /dashboard is
 * a route of the app and gets its index.html, never cached, so a new build is picked up on the next load.
 * /dashboard/api/* is not ours: it belongs to the dashboard's session-authenticated API.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reply, Request, RouteGroups } from '../http/routes.js';
import { serveImmutableFiles } from '../http/static-files.js';
import { escapeHtml } from '../pages/html.js';
import { newNonce, pageHeaders, renderDocument } from '../pages/layout.js';

/** Where `npm run build` puts the dashboard: `packages/server/dashboard/`, from src/ and from dist/ alike. */
export const BUILT_DASHBOARD = fileURLToPath(new URL('../../dashboard/', import.meta.url));

/**
 * The app's page may load its own files and call its own origin, nothing else: no inline script or style, no
 * external origin, no framing.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function dashboardStaticRoutes(dir: string = BUILT_DASHBOARD): RouteGroups {
  return {
    public: async (app) => {
      const assets = join(dir, 'assets');
      // Without a build (a checkout where `npm run build` never ran) the asset route exists all the same, so the
      // routes do not depend on the state of the disk; it answers what the page does.
      if (existsSync(assets)) await serveImmutableFiles(app, { root: assets, prefix: '/dashboard/assets/' });
      else app.get('/dashboard/assets/*', { schema: { hide: true } }, (_request, reply) => notBuilt(reply));
      app.get('/dashboard/preview-frame', { schema: { hide: true } }, (_request, reply) =>
        previewFrame(reply),
      );
      const page = (request: Request, reply: Reply) => indexPage(dir, request, reply);
      app.get('/dashboard', { schema: { hide: true } }, page);
      app.get('/dashboard/*', { schema: { hide: true } }, page);
    },
  };
}

async function indexPage(dir: string, request: Request, reply: Reply): Promise<Reply> {
  const path = request.url.split('?')[0] ?? '';
  // An API path no route answered is the API's 404 (JSON), not the app's page.
  if (path === '/dashboard/api' || path.startsWith('/dashboard/api/')) {
    reply.callNotFound();
    return reply;
  }
  // Read on every request (it is small): a rebuild while the server runs replaces the hashed files it names.
  const html = await readFile(join(dir, 'index.html'), 'utf8').catch(() => undefined);
  if (html === undefined) return notBuilt(reply);
  return reply
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': DASHBOARD_CSP,
      'cache-control': 'no-store',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    })
    .send(html);
}

// ── Templates: the frame an email's HTML is previewed in ──────────────────────────────────────────────────────
/**
 * An email's HTML styles itself inline, which the dashboard's CSP refuses, and it is the app's own markup, which must
 * not run in the dashboard's origin. A `srcdoc` frame would inherit the dashboard's CSP (and show the email
 * unstyled), so the Templates editor previews in this empty page instead: served under its own CSP (inline styles
 * and images, no script at all, sandboxed) and framed only by the dashboard, which writes the rendered HTML into it.
 */
export const PREVIEW_FRAME_CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src data: https:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  'sandbox allow-same-origin',
].join('; ');

function previewFrame(reply: Reply): Reply {
  return reply
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PREVIEW_FRAME_CSP,
      'cache-control': 'no-store',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'no-referrer',
    })
    .send(
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Preview</title></head><body></body></html>',
    );
}
// ── end Templates ─────────────────────────────────────────────────────────────────────────────────────────────

/** A page that says what to do, instead of a blank 404 from a checkout that was never built. */
function notBuilt(reply: Reply): Reply {
  const nonce = newNonce();
  const html = renderDocument({
    language: 'en',
    titleHtml: 'Dashboard not built',
    mainHtml: [
      '<h1>The dashboard is not built</h1>',
      `<p>This server has no dashboard files. In the Latchkey checkout, run <code>${escapeHtml('npm run build')}</code>`,
      ' and restart the server.</p>',
      '<p class="note">The API works without it; its reference is at <a href="/docs">/docs</a>.</p>',
    ].join(''),
    nonce,
    autoSubmit: false,
  });
  return reply.code(503).headers(pageHeaders(nonce)).send(html);
}
