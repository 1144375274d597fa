import { type ErrorCode, errorCodes } from '../errors/error-codes.js';
import { escapeHtml, fillHtml, safeHref } from './html.js';
import type { Language } from './languages.js';
import { CONFIRM_FORM_ID, newNonce, renderDocument } from './layout.js';
import { type Messages, messages } from './messages.js';

export { escapeHtml } from './html.js';
export { pageHeaders } from './layout.js';
export { maskIdentifier } from './mask-identifier.js';

/** What a page route sends: the status, the HTML, and the nonce to put in the Content-Security-Policy header. */
export interface RenderedPage {
  status: number;
  html: string;
  nonce: string;
  /** Overrides the pages' `no-referrer` where the URL holds no secret and the page's forms need an `Origin`. */
  referrerPolicy?: 'same-origin';
  /** Set on every page that answers an error: its stable code, sent in the `Latchkey-Error-Code` header. */
  errorCode?: ErrorCode;
}

export type LinkType = 'login' | 'verify_identifier' | 'invite';
export type LinkProblem = 'link_expired' | 'link_used' | 'link_revoked' | 'link_invalid';

export interface ConfirmPageInput {
  language: Language;
  appName: string;
  /** Already masked with `maskIdentifier`; the page never sees the full identifier. */
  maskedIdentifier: string;
  /** Where the button POSTs, normally the page's own path (`/l/{token}`). */
  formAction: string;
  /** The app's `auto` scanner-protection mode: the page submits itself, and the button stays as a fallback. */
  autoSubmit: boolean;
  linkType: LinkType;
}

export interface LinkProblemPageInput {
  language: Language;
  appName?: string;
  problem: LinkProblem;
  /** Where a person can ask for a new link (the hosted login page); shown as the main button when given. */
  requestLinkUrl?: string;
  /** The app's own site; shown as a secondary button when given. */
  appUrl?: string;
}

export interface ErrorPageInput {
  language: Language;
  code: ErrorCode;
}

export interface MessagePageInput {
  language: Language;
  /** Plain, already-translated text. */
  title: string;
  /** Plain, already-translated text; a blank line starts a new paragraph. */
  body: string;
  status: number;
  /** When the page answers an error: its code, whose status then replaces `status`. */
  code?: ErrorCode;
}

/** "Continue as j***@example.com" with one button that POSTs. GET never consumes a link, so the button is the consent. */
export function renderConfirmPage(input: ConfirmPageInput): RenderedPage {
  const m = messages[input.language];
  const wording = confirmWording(m, input.linkType, input.maskedIdentifier);
  const app = escapeHtml(input.appName);
  const identifier = escapeHtml(input.maskedIdentifier);
  const main = [
    `<p class="app">${app}</p>`,
    `<h1>${fillHtml(m.continueAs, { identifier })}</h1>`,
    `<p>${fillHtml(wording.lead, { app })}</p>`,
    `<form id="${CONFIRM_FORM_ID}" method="post" action="${escapeHtml(input.formAction)}">`,
    `<button class="button" type="submit">${escapeHtml(wording.button)}</button>`,
    '</form>',
    `<p class="note">${escapeHtml(input.autoSubmit ? m.autoNote : m.confirmNote)}</p>`,
  ];
  return page(input.language, 200, fillHtml(wording.title, { app }), main, input.autoSubmit);
}

/**
 * Says which of the four problems it is and what to do next. It names the app at most, never the account, so an
 * unknown token and a known one reveal nothing about who the link was for.
 */
export function renderLinkProblemPage(input: LinkProblemPageInput): RenderedPage {
  const m = messages[input.language];
  const text = problemText(m, input.problem);
  const app = input.appName ? escapeHtml(input.appName) : undefined;
  const main = [
    app ? `<p class="app">${app}</p>` : '',
    `<h1>${escapeHtml(text.title)}</h1>`,
    `<p>${escapeHtml(text.body)}</p>`,
    `<p>${app ? fillHtml(m.nextStepWithApp, { app }) : escapeHtml(m.nextStepWithoutApp)}</p>`,
    linkButton(safeHref(input.requestLinkUrl), escapeHtml(m.requestNewLink), 'button'),
    linkButton(
      safeHref(input.appUrl),
      app ? fillHtml(m.backToApp, { app }) : escapeHtml(m.backToSite),
      'button secondary',
    ),
  ].filter((line) => line !== '');
  const rendered = page(input.language, 200, escapeHtml(text.title), main, false);
  return asErrorPage(rendered, input.problem);
}

/**
 * The page as the answer to an error: the status the registry gives the code, and the code for the
 * `Latchkey-Error-Code` header. A page may show one thing and carry a more precise code (a signed link's
 * `token_expired` shows the expired-link page).
 */
export function asErrorPage(rendered: RenderedPage, code: ErrorCode): RenderedPage {
  return { ...rendered, status: errorCodes[code].status, errorCode: code };
}

/**
 * A failure that is not about the link itself: too many attempts, an outage, a request the page cannot use, a bug.
 * It says what to do in the person's language, and shows the code in small print for whoever they ask for help.
 */
export function renderErrorPage(input: ErrorPageInput): RenderedPage {
  const m = messages[input.language];
  const text = errorText(m, input.code);
  const main = [
    `<h1>${escapeHtml(text.title)}</h1>`,
    `<p>${escapeHtml(text.body)}</p>`,
    `<p class="note">${fillHtml(m.errorCodeNote, { code: `<code>${escapeHtml(input.code)}</code>` })}</p>`,
  ];
  return asErrorPage(page(input.language, 200, escapeHtml(text.title), main, false), input.code);
}

function errorText(m: Messages, code: ErrorCode): { title: string; body: string } {
  switch (code) {
    case 'rate_limited':
      return { title: m.tooManyTitle, body: m.tooManyBody };
    case 'storage_unavailable':
    case 'not_ready':
    case 'rate_limit_unavailable':
      return { title: m.unavailableTitle, body: m.unavailableBody };
    case 'internal_error':
      return { title: m.brokenTitle, body: m.brokenBody };
    default:
      return { title: m.requestProblemTitle, body: m.requestProblemBody };
  }
}

/** A plain page for the odd cases that have no page of their own; the caller passes translated text. */
export function renderMessagePage(input: MessagePageInput): RenderedPage {
  const paragraphs = input.body
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`);
  const main = [`<h1>${escapeHtml(input.title)}</h1>`, ...paragraphs];
  const rendered = page(input.language, input.status, escapeHtml(input.title), main, false);
  return input.code ? asErrorPage(rendered, input.code) : rendered;
}

function page(
  language: Language,
  status: number,
  titleHtml: string,
  mainLines: string[],
  autoSubmit: boolean,
): RenderedPage {
  const nonce = newNonce();
  const html = renderDocument({ language, titleHtml, mainHtml: mainLines.join('\n'), nonce, autoSubmit });
  return { status, html, nonce };
}

interface ConfirmWording {
  title: string;
  lead: string;
  button: string;
}

function confirmWording(m: Messages, linkType: LinkType, maskedIdentifier: string): ConfirmWording {
  switch (linkType) {
    case 'login':
      return { title: m.titleLogin, lead: m.leadLogin, button: m.buttonLogin };
    case 'invite':
      return { title: m.titleInvite, lead: m.leadInvite, button: m.buttonInvite };
    case 'verify_identifier':
      // Identifiers are emails or E.164 phones; a masked email keeps its `@domain`.
      return maskedIdentifier.includes('@')
        ? { title: m.titleVerifyEmail, lead: m.leadVerifyEmail, button: m.buttonVerifyEmail }
        : { title: m.titleVerifyPhone, lead: m.leadVerifyPhone, button: m.buttonVerifyPhone };
  }
}

function problemText(m: Messages, problem: LinkProblem): { title: string; body: string } {
  switch (problem) {
    case 'link_expired':
      return { title: m.expiredTitle, body: m.expiredBody };
    case 'link_used':
      return { title: m.usedTitle, body: m.usedBody };
    case 'link_revoked':
      return { title: m.revokedTitle, body: m.revokedBody };
    case 'link_invalid':
      return { title: m.invalidTitle, body: m.invalidBody };
  }
}

function linkButton(href: string | undefined, labelHtml: string, className: string): string {
  return href ? `<a class="${className}" href="${escapeHtml(href)}">${labelHtml}</a>` : '';
}
