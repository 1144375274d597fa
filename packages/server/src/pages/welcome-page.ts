/**
 * The "signed in" page of a new installation (welcome/): who signed in, what the app's backend would receive, how
 * to verify it, and what to set up next. It speaks to the developer trying Latchkey out, so it is in English.
 */
import { escapeHtml } from './html.js';
import { newNonce, renderDocument } from './layout.js';
import type { RenderedPage } from './render.js';

export interface WelcomePageInput {
  publicUrl: string;
  appId: string;
  appName: string;
  identifier: string | null;
  claims: Record<string, unknown>;
  sessionExpiresAt: string;
}

export function renderWelcomePage(input: WelcomePageInput): RenderedPage {
  const app = escapeHtml(input.appId);
  const base = escapeHtml(input.publicUrl);
  const who = input.identifier ? escapeHtml(input.identifier) : 'someone';
  const main = [
    `<p class="app">${escapeHtml(input.appName)}</p>`,
    `<h1>Signed in as ${who}</h1>`,
    '<p>Latchkey checked that this person controls the address and started a session for them. This page stands in for your app: its backend would get exactly this.</p>',
    '<h2>What your backend receives</h2>',
    `<p>After sign-in the browser comes back to your callback with <code>?lk_code=…</code>. Your backend exchanges it (once, within 60 seconds) with <code>POST ${base}/v1/sessions/exchange</code>, your API key and <code>{"code": "…"}</code>, and gets the user and a session: a short-lived token and a refresh token. The token's claims here:</p>`,
    // Focusable: a long claim scrolls sideways, and a keyboard must be able to scroll it too.
    `<pre class="claims" tabindex="0" aria-label="The session token's claims">${escapeHtml(JSON.stringify(input.claims, null, 2))}</pre>`,
    `<p>Verify the token offline with the public keys at <a href="${base}/.well-known/jwks.json">${base}/.well-known/jwks.json</a> (issuer <code>${escapeHtml(String(input.claims.iss ?? input.publicUrl))}</code>, audience <code>${app}</code>). The session lasts until ${escapeHtml(input.sessionExpiresAt)}.</p>`,
    '<h2>What to set up next</h2>',
    '<ul>',
    `<li>Where people go after signing in: your app's <code>allowed_redirects</code> and <code>default_redirect_url</code>, in the dashboard's Settings (<a href="${base}/dashboard/settings">${base}/dashboard/settings</a>) or with <code>PATCH ${base}/v1/apps/${app}</code>. Until then they land here.</li>`,
    '<li>Real email: set <code>LATCHKEY_SMTP_URL</code> (without it, messages are printed by the server).</li>',
    '<li>The guides: <code>docs/</code> in the repository, the API reference at <a href="/docs">/docs</a>.</li>',
    '</ul>',
  ];
  const nonce = newNonce();
  const html = renderDocument({
    language: 'en',
    titleHtml: `Signed in as ${who}`,
    mainHtml: main.join('\n'),
    nonce,
    autoSubmit: false,
  });
  return { status: 200, html, nonce };
}
