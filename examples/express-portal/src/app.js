/**
 * The portal: a form that emails a sign-in link, the callback Latchkey redirects to, a protected page, and sign-out.
 * The Latchkey session token (a JWT) and its refresh token live in HttpOnly cookies; every protected request checks
 * the token offline against Latchkey's JWKS, and refreshes it when it has expired.
 */
import { expressCallback, LatchkeyError } from '@latchkey/sdk';
import express from 'express';

const SESSION_COOKIE = 'portal_session';
const REFRESH_COOKIE = 'portal_refresh';

/**
 * @param {object} options
 * @param {import('@latchkey/sdk').Latchkey} options.latchkey a client with the app's API key
 * @param {string} options.appId the Latchkey app id (the `aud` of its session tokens)
 * @param {string} options.publicUrl where people reach this portal, e.g. http://localhost:3000
 */
export function createPortal({ latchkey, appId, publicUrl }) {
  const app = express();
  const base = publicUrl.replace(/\/+$/, '');
  const cookieOptions = {
    httpOnly: true,
    sameSite: 'lax',
    secure: base.startsWith('https://'),
    path: '/',
  };
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  app.use((_req, res, next) => {
    res.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    res.set('referrer-policy', 'no-referrer');
    res.set('cache-control', 'no-store');
    next();
  });

  app.get('/', async (req, res) => {
    if (await currentUser(req, res)) return res.redirect(303, '/account');
    res.type('html').send(
      page(
        'Sign in',
        `
      <h1>Sign in to the portal</h1>
      <form method="post" action="/login">
        <label>Email <input type="email" name="email" required autocomplete="email"></label>
        <button>Email me a sign-in link</button>
      </form>`,
      ),
    );
  });

  app.post('/login', async (req, res, next) => {
    const email = typeof req.body?.email === 'string' ? req.body.email.trim() : '';
    try {
      await latchkey.magicLinks.create({ email, send: true, redirect_url: `${base}/callback` });
    } catch (error) {
      if (error instanceof LatchkeyError && error.status === 400) {
        return res
          .status(400)
          .type('html')
          .send(
            page(
              'Sign in',
              `
          <h1>That did not work</h1><p>${escapeHtml(error.message)}</p><p><a href="/">Try again</a></p>`,
            ),
          );
      }
      return next(error);
    }
    res.type('html').send(
      page(
        'Check your email',
        `
      <h1>Check your email</h1>
      <p>We sent a sign-in link to <strong>${escapeHtml(email)}</strong>. It works once and expires soon.</p>`,
      ),
    );
  });

  // Latchkey redirects here with ?lk_code=…; the SDK exchanges it for the user and a session.
  app.get(
    '/callback',
    expressCallback(latchkey, {
      onSuccess(_req, res, { session }) {
        res.cookie(SESSION_COOKIE, session.token, cookieOptions);
        res.cookie(REFRESH_COOKIE, session.refresh_token, cookieOptions);
        res.redirect(303, '/account');
      },
      onError(_req, res, error) {
        res
          .status(400)
          .type('html')
          .send(
            page(
              'Sign-in failed',
              `
          <h1>That link did not sign you in</h1><p>${escapeHtml(error.message)}</p><p><a href="/">Get a new link</a></p>`,
            ),
          );
      },
    }),
    (_req, res) => res.redirect(303, '/'),
  );

  app.get('/account', async (req, res) => {
    const user = await currentUser(req, res);
    if (!user) return res.redirect(303, '/');
    res.type('html').send(
      page(
        'Your account',
        `
      <h1>Your account</h1>
      <p>Signed in as <strong>${escapeHtml(user.email ?? user.phone ?? user.id)}</strong>.</p>
      <form method="post" action="/logout"><button>Sign out</button></form>`,
      ),
    );
  });

  app.post('/logout', async (req, res) => {
    const claims = await verified(readCookie(req, SESSION_COOKIE));
    if (claims) await latchkey.sessions.revoke(claims.sid).catch(() => {});
    res.clearCookie(SESSION_COOKIE, cookieOptions);
    res.clearCookie(REFRESH_COOKIE, cookieOptions);
    res.redirect(303, '/');
  });

  /** The claims of a valid session token, or null. */
  async function verified(token) {
    if (!token) return null;
    try {
      return await latchkey.sessions.verify(token, { appId });
    } catch {
      return null;
    }
  }

  /** The signed-in user, refreshing an expired session token with the refresh token; null when signed out. */
  async function currentUser(req, res) {
    let claims = await verified(readCookie(req, SESSION_COOKIE));
    if (!claims) {
      const refreshToken = readCookie(req, REFRESH_COOKIE);
      if (!refreshToken) return null;
      try {
        const { session } = await latchkey.sessions.refresh(refreshToken);
        res.cookie(SESSION_COOKIE, session.token, cookieOptions);
        res.cookie(REFRESH_COOKIE, session.refresh_token, cookieOptions);
        claims = await verified(session.token);
      } catch {
        res.clearCookie(SESSION_COOKIE, cookieOptions);
        res.clearCookie(REFRESH_COOKIE, cookieOptions);
        return null;
      }
      if (!claims) return null;
    }
    return latchkey.users.get(claims.sub);
  }

  return app;
}

function readCookie(req, name) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem}input,button{font:inherit;padding:.4rem}</style>
</head><body>${body}</body></html>`;
}
