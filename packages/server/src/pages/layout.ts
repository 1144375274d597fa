import { randomBytes } from 'node:crypto';
import { escapeHtml } from './html.js';
import type { Language } from './languages.js';

/**
 * Colours are chosen for contrast of at least 7:1 for text and 4.5:1 for the button in both schemes; sizes are in
 * rem so the page follows the reader's font size, and the card fits a 320px-wide screen without sideways scrolling.
 */
const STYLES = [
  ':root{color-scheme:light dark;--bg:#f4f4f5;--card:#fff;--text:#18181b;--muted:#52525b;--border:#d4d4d8;',
  '--accent:#1d4ed8;--accent-hover:#1e40af;--on-accent:#fff;--danger:#b91c1c}',
  '@media (prefers-color-scheme:dark){:root{--bg:#18181b;--card:#27272a;--text:#f4f4f5;--muted:#d4d4d8;',
  '--border:#3f3f46;--accent:#93c5fd;--accent-hover:#bfdbfe;--on-accent:#18181b;--danger:#fca5a5}}',
  '*{box-sizing:border-box}',
  'html{-webkit-text-size-adjust:100%;text-size-adjust:100%}',
  'body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:1rem;',
  'background:var(--bg);color:var(--text);',
  'font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC","Microsoft YaHei",sans-serif}',
  'main{width:100%;max-width:28rem;padding:1.5rem;background:var(--card);border:1px solid var(--border);',
  'border-radius:12px;overflow-wrap:anywhere}',
  'h1{margin:0 0 .75rem;font-size:1.375rem;line-height:1.3}',
  'p{margin:0 0 1rem}',
  '.app{margin-bottom:.5rem;color:var(--muted);font-weight:600}',
  '.note{margin:1rem 0 0;color:var(--muted);font-size:.9375rem}',
  'form{margin:0}',
  '.button{display:block;width:100%;min-height:2.75rem;margin:0 0 .75rem;padding:.625rem 1rem;border:2px solid var(--accent);',
  'border-radius:8px;background:var(--accent);color:var(--on-accent);font:inherit;font-weight:600;',
  'text-align:center;text-decoration:none;cursor:pointer}',
  '.button:hover{background:var(--accent-hover);border-color:var(--accent-hover)}',
  '.button.secondary{background:transparent;color:var(--accent)}',
  '.button.secondary:hover{background:transparent;color:var(--accent-hover)}',
  '.button:focus-visible{outline:3px solid var(--text);outline-offset:2px}',
  'label{display:block;margin:0 0 .25rem;font-weight:600}',
  'input{display:block;width:100%;min-height:2.75rem;margin:0 0 .75rem;padding:.5rem .75rem;',
  'border:1px solid var(--muted);border-radius:8px;background:var(--card);color:var(--text);font:inherit}',
  'input:focus-visible{outline:3px solid var(--accent);outline-offset:1px}',
  '.code{font-family:ui-monospace,Consolas,Menlo,monospace;letter-spacing:.15em;text-transform:uppercase}',
  '.error{margin:0 0 1rem;padding:.5rem .75rem;border-left:4px solid var(--danger);font-weight:600}',
  'a{color:var(--accent)}',
  'hr{margin:1.25rem 0;border:0;border-top:1px solid var(--border)}',
  'h2{margin:1.25rem 0 .5rem;font-size:1.0625rem}',
  'ul{margin:0 0 1rem;padding-left:1.25rem}li{margin:0 0 .5rem}',
  'pre{margin:0 0 1rem;padding:.75rem;overflow-x:auto;border:1px solid var(--border);border-radius:8px;font-size:.8125rem}',
  'code,pre{font-family:ui-monospace,Consolas,Menlo,monospace}',
  '@media (max-width:360px){body{padding:.5rem}main{padding:1rem}}',
].join('');

/** The id of the confirm form, which the auto-submit script looks up. */
export const CONFIRM_FORM_ID = 'continue';

/**
 * Runs only in `auto` scanner-protection mode. It submits the form once and then ignores further submits, so a
 * person who also presses the button does not send a second POST that would find the link already used.
 */
const AUTO_SUBMIT_SCRIPT = [
  '(function(){',
  `var form=document.getElementById('${CONFIRM_FORM_ID}');if(!form)return;var sent=false;`,
  "form.addEventListener('submit',function(event){if(sent)event.preventDefault();sent=true;});",
  // Coming back through the history cache: let the button post again (it then shows the "already used" page).
  "window.addEventListener('pageshow',function(event){if(event.persisted)sent=false;});",
  'sent=true;form.submit();',
  '})();',
].join('');

/** A fresh value per response for the CSP `nonce-` source; 128 bits so it cannot be guessed. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

export interface DocumentParts {
  language: Language;
  /** Already escaped. */
  titleHtml: string;
  /** Already escaped: the inside of <main>. */
  mainHtml: string;
  nonce: string;
  autoSubmit: boolean;
  /** A page's own script (the login page's status polling), run under the same nonce. */
  script?: string;
  /** `no-referrer` unless the page's URL holds no secret and its forms need an `Origin` header. */
  referrerPolicy?: 'same-origin';
}

export function renderDocument(parts: DocumentParts): string {
  const nonce = escapeHtml(parts.nonce);
  const lines = [
    '<!doctype html>',
    `<html lang="${escapeHtml(parts.language)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    // Belt and braces with the Referrer-Policy header: the token is in this page's URL.
    `<meta name="referrer" content="${parts.referrerPolicy ?? 'no-referrer'}">`,
    `<title>${parts.titleHtml}</title>`,
    `<style nonce="${nonce}">${STYLES}</style>`,
    '</head>',
    '<body>',
    '<main>',
    parts.mainHtml,
    '</main>',
  ];
  if (parts.autoSubmit) lines.push(`<script nonce="${nonce}">${AUTO_SUBMIT_SCRIPT}</script>`);
  if (parts.script) lines.push(`<script nonce="${nonce}">${parts.script}</script>`);
  lines.push('</body>', '</html>', '');
  return lines.join('\n');
}

/**
 * Response headers for a page (spec section 5, "HTML pages"). `form-action` is left out on purpose: browsers apply it
 * to the redirects that follow a form POST, and the POST answers with a 303 to the app's own site.
 */
export function pageHeaders(
  nonce: string,
  options: { fetchSelf?: boolean; errorCode?: string | undefined } = {},
): Record<string, string> {
  const csp = [
    "default-src 'none'",
    // Only the login page's status polling talks back to the server, and only to its own origin.
    ...(options.fetchSelf ? ["connect-src 'self'"] : []),
    `style-src 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // A page says in words what went wrong; programs (link checkers, the app's tests) read the stable code here.
    ...(options.errorCode ? { 'latchkey-error-code': options.errorCode } : {}),
  };
}
