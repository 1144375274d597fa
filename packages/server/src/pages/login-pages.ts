import { escapeHtml, fillHtml } from './html.js';
import type { Language } from './languages.js';
import { newNonce, renderDocument } from './layout.js';
import { type LoginMessages, loginMessages } from './login-messages.js';
import { messages } from './messages.js';
import type { RenderedPage } from './render.js';

export type LoginChannel = 'email' | 'phone';

export interface LoginFormInput {
  language: Language;
  appId: string;
  appName: string;
  channel: LoginChannel;
  redirectTo?: string | undefined;
  /** What the person typed, shown again after an error. */
  value?: string | undefined;
  error?: keyof LoginMessages | undefined;
  status?: number;
}

/** The sign-in form: one field and one button, a plain POST that works without JavaScript. */
export function renderLoginForm(input: LoginFormInput): RenderedPage {
  const m = loginMessages[input.language];
  const app = escapeHtml(input.appName);
  const isEmail = input.channel === 'email';
  const field = isEmail ? 'email' : 'phone';
  const other = new URLSearchParams({ app: input.appId, channel: isEmail ? 'phone' : 'email' });
  if (input.redirectTo !== undefined) other.set('redirect_to', input.redirectTo);
  const main = [
    `<p class="app">${app}</p>`,
    `<h1>${fillHtml(titleOf(input.language), { app })}</h1>`,
    `<p>${escapeHtml(isEmail ? m.leadEmail : m.leadPhone)}</p>`,
    errorLine(m, input.error),
    '<form method="post" action="/login">',
    hidden('app', input.appId),
    hidden('channel', input.channel),
    input.redirectTo === undefined ? '' : hidden('redirect_to', input.redirectTo),
    `<label for="${field}">${escapeHtml(isEmail ? m.emailLabel : m.phoneLabel)}</label>`,
    `<input id="${field}" name="${field}" type="${isEmail ? 'email' : 'tel'}" required autofocus ` +
      `autocomplete="${isEmail ? 'email' : 'tel'}" maxlength="320"` +
      (input.error ? ' aria-invalid="true" aria-describedby="error"' : '') +
      (input.value === undefined ? '' : ` value="${escapeHtml(input.value)}"`) +
      '>',
    `<button class="button" type="submit">${escapeHtml(m.sendButton)}</button>`,
    '</form>',
    `<p class="note"><a href="/login?${escapeHtml(other.toString())}">${escapeHtml(isEmail ? m.usePhone : m.useEmail)}</a></p>`,
  ];
  return page(
    input.language,
    input.status ?? 200,
    fillHtml(titleOf(input.language), { app }),
    main,
    'same-origin',
  );
}

export interface CheckPageInput {
  language: Language;
  appId: string;
  appName: string;
  channel: LoginChannel;
  maskedIdentifier: string;
  error?: keyof LoginMessages | undefined;
  status?: number;
}

/**
 * "Check your email": the code form, and (with JavaScript) a quiet poll of the flow's status, so that an approval
 * on another device signs this tab in. Without JavaScript the "I approved it" button does the same.
 */
export function renderCheckPage(input: CheckPageInput): RenderedPage {
  const m = loginMessages[input.language];
  const app = escapeHtml(input.appName);
  const title = escapeHtml(input.channel === 'email' ? m.checkEmailTitle : m.checkPhoneTitle);
  const main = [
    `<p class="app">${app}</p>`,
    `<h1>${title}</h1>`,
    `<p>${fillHtml(m.checkLead, { identifier: `<strong>${escapeHtml(input.maskedIdentifier)}</strong>`, app })}</p>`,
    `<p>${escapeHtml(m.checkHowTo)}</p>`,
    errorLine(m, input.error),
    '<form method="post" action="/login/code">',
    hidden('app', input.appId),
    `<label for="code">${escapeHtml(m.codeLabel)}</label>`,
    '<input id="code" name="code" class="code" type="text" required autocomplete="one-time-code" ' +
      'autocapitalize="characters" spellcheck="false" maxlength="16"' +
      (input.error ? ' aria-invalid="true" aria-describedby="error"' : '') +
      '>',
    `<button class="button" type="submit">${escapeHtml(m.codeButton)}</button>`,
    '</form>',
    '<hr>',
    `<div id="lk-wait" data-app="${escapeHtml(input.appId)}" data-completed="${escapeHtml(m.doneElsewhere)}" ` +
      `data-denied="${escapeHtml(m.deniedBody)}" data-expired="${escapeHtml(m.errorExpired)}">`,
    `<p id="lk-status" class="note" role="status" aria-live="polite">${escapeHtml(m.waitingNote)}</p>`,
    '<form method="post" action="/login/finish">',
    hidden('app', input.appId),
    `<button class="button secondary" type="submit">${escapeHtml(m.finishButton)}</button>`,
    '</form>',
    '</div>',
    `<p class="note"><a href="/login?app=${encodeURIComponent(input.appId)}">${escapeHtml(m.startOver)}</a></p>`,
  ];
  return page(input.language, input.status ?? 200, title, main, 'same-origin', STATUS_SCRIPT);
}

/** A state of the flow that leaves nothing to do on this page but start again. */
export function renderFlowEndPage(input: {
  language: Language;
  appId: string;
  appName: string;
  message: 'doneElsewhere' | 'deniedBody' | 'errorExpired';
  status?: number;
}): RenderedPage {
  const m = loginMessages[input.language];
  const app = escapeHtml(input.appName);
  const main = [
    `<p class="app">${app}</p>`,
    `<h1>${escapeHtml(m[input.message])}</h1>`,
    `<a class="button" href="/login?app=${encodeURIComponent(input.appId)}">${escapeHtml(m.startOver)}</a>`,
  ];
  return page(input.language, input.status ?? 200, escapeHtml(m[input.message]), main, 'same-origin');
}

export interface ApprovePageInput {
  language: Language;
  appName: string;
  maskedIdentifier: string;
  /** Browser and system families of the browser that asked, if known. */
  device: { browser: string | null; system: string | null };
  /** When the request was made, epoch ms, and now. */
  requestedAt: number;
  now: number;
  formAction: string;
  status?: number;
}

/** Seen on a device other than the one that asked: approve (that device is signed in) or refuse. */
export function renderApprovePage(input: ApprovePageInput): RenderedPage {
  const m = loginMessages[input.language];
  const app = escapeHtml(input.appName);
  const identifier = `<strong>${escapeHtml(input.maskedIdentifier)}</strong>`;
  const device = `<strong>${escapeHtml(describe(m, input.device))}</strong>`;
  const time = escapeHtml(ago(input.language, input.now - input.requestedAt));
  const main = [
    `<p class="app">${app}</p>`,
    `<h1>${escapeHtml(m.approveTitle)}</h1>`,
    `<p>${fillHtml(m.approveLead, { app, identifier })}</p>`,
    `<p>${fillHtml(m.approveFrom, { device, time })}</p>`,
    `<p>${escapeHtml(m.approveWarning)}</p>`,
    `<form method="post" action="${escapeHtml(input.formAction)}">`,
    `<button class="button" type="submit" name="decision" value="approve">${escapeHtml(m.approveButton)}</button>`,
    `<button class="button secondary" type="submit" name="decision" value="deny">${escapeHtml(m.denyButton)}</button>`,
    '</form>',
  ];
  return page(input.language, input.status ?? 200, escapeHtml(m.approveTitle), main, 'no-referrer');
}

/** After the decision on the other device. */
export function renderDecisionPage(language: Language, decision: 'approved' | 'denied'): RenderedPage {
  const m = loginMessages[language];
  const [title, body] =
    decision === 'approved' ? [m.approvedTitle, m.approvedBody] : [m.deniedTitle, m.deniedBody];
  return page(
    language,
    200,
    escapeHtml(title),
    [`<h1>${escapeHtml(title)}</h1>`, `<p>${escapeHtml(body)}</p>`],
    'no-referrer',
  );
}

function describe(m: LoginMessages, device: ApprovePageInput['device']): string {
  if (device.browser && device.system)
    return m.device.replace('{browser}', device.browser).replace('{system}', device.system);
  return device.browser ?? device.system ?? m.unknownDevice;
}

/** "2 minutes ago", in the page's language, through the runtime's own translations (Intl). */
function ago(language: Language, ms: number): string {
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return format.format(-(Math.floor(seconds / 10) * 10), 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return format.format(-minutes, 'minute');
  return format.format(-Math.round(minutes / 60), 'hour');
}

/** The form's title is the confirm page's "Sign in to {app}", kept in one place. */
function titleOf(language: Language): string {
  return messages[language].titleLogin;
}

function errorLine(m: LoginMessages, error: keyof LoginMessages | undefined): string {
  return error ? `<p id="error" class="error" role="alert">${escapeHtml(m[error])}</p>` : '';
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

/** Pages whose URL holds no secret say `same-origin`, so their form posts carry an `Origin` we can check. */
type Referrer = 'same-origin' | 'no-referrer';

function page(
  language: Language,
  status: number,
  titleHtml: string,
  mainLines: string[],
  referrer: Referrer,
  script?: string,
): RenderedPage {
  const nonce = newNonce();
  const sameOrigin = referrer === 'same-origin' ? ({ referrerPolicy: 'same-origin' } as const) : {};
  const html = renderDocument({
    language,
    titleHtml,
    mainHtml: mainLines.filter((line) => line !== '').join('\n'),
    nonce,
    autoSubmit: false,
    ...sameOrigin,
    ...(script === undefined ? {} : { script }),
  });
  return { status, html, nonce, ...sameOrigin };
}

/**
 * Polls the flow's status every two seconds; when another device approves, finishes the sign-in and follows the
 * app's redirect. Stops on a final state and says what happened. Failures only slow the polling down.
 */
const STATUS_SCRIPT = [
  '(function(){',
  "var box=document.getElementById('lk-wait');if(!box||!window.fetch)return;",
  "var app=box.getAttribute('data-app');var done=false;",
  'function later(ms){if(!done)setTimeout(check,ms);}',
  "function say(state){done=true;var text=box.getAttribute('data-'+state)||box.getAttribute('data-expired');",
  "document.getElementById('lk-status').textContent=text;}",
  'function finish(){',
  "fetch('/v1/public/login/complete',{method:'POST',credentials:'same-origin',",
  "headers:{'content-type':'application/json'},body:JSON.stringify({app_id:app})})",
  '.then(function(r){return r.json().then(function(b){',
  'if(r.ok&&b.redirect_url){done=true;window.location.assign(b.redirect_url);}else later(2000);});})',
  '.catch(function(){later(5000);});}',
  'function check(){',
  "fetch('/v1/public/login/status?app_id='+encodeURIComponent(app),{credentials:'same-origin',cache:'no-store'})",
  '.then(function(r){if(!r.ok){later(10000);return;}return r.json().then(function(b){',
  "if(b.status==='approved')finish();else if(b.status==='pending')later(2000);else say(b.status);});})",
  '.catch(function(){later(5000);});}',
  'later(2000);',
  '})();',
].join('');
