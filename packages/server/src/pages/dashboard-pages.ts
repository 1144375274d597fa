/**
 * The pages of the dashboard's one-time sign-in links (the break-glass link and the first owner's link). They are
 * server-rendered like the other link pages: opening one never spends it, only its button's POST does.
 */
import { escapeHtml } from './html.js';
import { newNonce, renderDocument } from './layout.js';
import { maskIdentifier } from './mask-identifier.js';
import type { RenderedPage } from './render.js';

export function renderOneTimeLinkPage(input: {
  formAction: string;
  /** The operator the link signs in; none for the first owner's link, whose user names the owner's address. */
  email: string | undefined;
  error?: string | undefined;
  status?: number;
}): RenderedPage {
  const nonce = newNonce();
  const title =
    input.email === undefined ? 'Become the owner of this Latchkey' : 'Sign in to the Latchkey dashboard';
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  const body =
    input.email === undefined
      ? [
          '<p>This link was printed when the server first started. Whoever uses it becomes the owner of its dashboard, and can then invite others.</p>',
          error,
          `<form method="post" action="${escapeHtml(input.formAction)}">`,
          '<label for="email">Your email address</label>',
          '<input id="email" name="email" type="email" autocomplete="email" required>',
          '<p class="note">You sign in with it from now on: Latchkey sends a link and a code to it.</p>',
          '<button class="button" type="submit">Become the owner</button>',
          '</form>',
        ]
      : [
          `<p>This one-time link signs in ${escapeHtml(maskIdentifier(input.email))}. It works once, for a few minutes.</p>`,
          error,
          `<form method="post" action="${escapeHtml(input.formAction)}">`,
          '<button class="button" type="submit">Sign in</button>',
          '</form>',
        ];
  const html = renderDocument({
    language: 'en',
    titleHtml: escapeHtml(title),
    mainHtml: [`<h1>${escapeHtml(title)}</h1>`, ...body].join('\n'),
    nonce,
    autoSubmit: false,
  });
  return { status: input.status ?? 200, html, nonce };
}

export type OneTimeLinkProblem = 'link_used' | 'link_expired' | 'link_invalid';

const GONE: Record<OneTimeLinkProblem, { title: string; body: string }> = {
  link_used: {
    title: 'This sign-in link was already used',
    body: 'Each one-time link signs in once, and this one has. If that was you in another tab, you are signed in there.',
  },
  link_expired: {
    title: 'This sign-in link has expired',
    body: 'One-time links work for a few minutes only, and this one is past its time.',
  },
  link_invalid: {
    title: 'This sign-in link doesn’t work',
    body: 'It may be incomplete or mistyped. If you copied it, check that you copied all of it.',
  },
};

/** A one-time dashboard link that cannot be used: why, in plain words, and how to get in another way. */
export function renderOneTimeLinkGonePage(problem: OneTimeLinkProblem, status: number): RenderedPage {
  const nonce = newNonce();
  const text = GONE[problem];
  const html = renderDocument({
    language: 'en',
    titleHtml: escapeHtml(text.title),
    mainHtml: [
      `<h1>${escapeHtml(text.title)}</h1>`,
      `<p>${escapeHtml(text.body)}</p>`,
      '<p>Sign in with your email address at <a href="/dashboard/sign-in">the dashboard’s sign-in page</a>, or, if email is what is broken, make a new link on the server with <code>npx latchkey dashboard link --email …</code>.</p>',
    ].join('\n'),
    nonce,
    autoSubmit: false,
  });
  return { status, html, nonce };
}
