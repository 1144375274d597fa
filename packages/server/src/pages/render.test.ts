import { describe, expect, it } from 'vitest';
import { errorCodes } from '../errors/error-codes.js';
import { LANGUAGES, type Language, toLanguage } from './languages.js';
import { type Messages, messages, pickLanguage } from './messages.js';
import {
  asErrorPage,
  escapeHtml,
  type LinkProblem,
  type LinkType,
  maskIdentifier,
  pageHeaders,
  type RenderedPage,
  renderConfirmPage,
  renderErrorPage,
  renderLinkProblemPage,
  renderMessagePage,
} from './render.js';

const LINK_TYPES: LinkType[] = ['login', 'verify_identifier', 'invite'];
const PROBLEMS: LinkProblem[] = ['link_expired', 'link_used', 'link_revoked', 'link_invalid'];
const ERROR_PAGE_CODES = [
  'rate_limited',
  'storage_unavailable',
  'internal_error',
  'validation_failed',
  'forbidden',
] as const;
const HOSTILE = '<script>alert(1)</script>"onmouseover=alert(1) x=\'';

function confirm(language: Language, overrides: Partial<Parameters<typeof renderConfirmPage>[0]> = {}) {
  return renderConfirmPage({
    language,
    appName: 'Acme Portal',
    maskedIdentifier: 'j***@example.com',
    formAction: '/l/tok_abc',
    autoSubmit: false,
    linkType: 'login',
    ...overrides,
  });
}

/** Every page the module can produce, in every language, for the checks that apply to all of them. */
function everyPage(): Array<{ name: string; language: Language; page: RenderedPage }> {
  const pages: Array<{ name: string; language: Language; page: RenderedPage }> = [];
  for (const language of LANGUAGES) {
    for (const linkType of LINK_TYPES) {
      for (const autoSubmit of [false, true]) {
        const page = confirm(language, { linkType, autoSubmit });
        pages.push({ name: `confirm ${linkType} auto=${autoSubmit}`, language, page });
      }
    }
    for (const problem of PROBLEMS) {
      pages.push({
        name: problem,
        language,
        page: renderLinkProblemPage({ language, problem, appName: 'Acme' }),
      });
      pages.push({ name: `${problem} no app`, language, page: renderLinkProblemPage({ language, problem }) });
    }
    const page = renderMessagePage({
      language,
      title: 'Approve sign-in?',
      body: 'One.\n\nTwo.',
      status: 409,
    });
    pages.push({ name: 'message', language, page });
    for (const code of ERROR_PAGE_CODES) {
      pages.push({ name: `error ${code}`, language, page: renderErrorPage({ language, code }) });
    }
  }
  return pages;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '').sort();
}

describe('messages', () => {
  const keys = Object.keys(messages.en) as Array<keyof Messages>;

  it('has a table for exactly the supported languages', () => {
    expect(Object.keys(messages).sort()).toEqual([...LANGUAGES].sort());
  });

  it.each(LANGUAGES)('%s has every key of en, non-empty, with the same placeholders', (language) => {
    // Read through a loose view, so a key missing at runtime shows up here rather than only in the type checker.
    const table: Readonly<Record<string, unknown>> = { ...messages[language] };
    expect(keys.length).toBeGreaterThan(20);
    for (const key of keys) {
      const value = table[key];
      expect(typeof value, `${language}.${key}`).toBe('string');
      expect(String(value).trim(), `${language}.${key}`).not.toBe('');
      expect(placeholders(String(value)), `${language}.${key}`).toEqual(placeholders(messages.en[key]));
    }
    expect(Object.keys(table).sort()).toEqual([...keys].sort());
  });

  it('is actually translated: no language but en repeats the English sentences', () => {
    for (const language of LANGUAGES.filter((l) => l !== 'en')) {
      expect(messages[language].usedBody).not.toBe(messages.en.usedBody);
      expect(messages[language].continueAs).not.toBe(messages.en.continueAs);
    }
  });
});

describe('renderConfirmPage', () => {
  it.each(LANGUAGES)(
    'renders in %s with its lang, status 200 and one POST form per link type',
    (language) => {
      const m = messages[language];
      const buttons: Record<LinkType, string> = {
        login: m.buttonLogin,
        verify_identifier: m.buttonVerifyEmail,
        invite: m.buttonInvite,
      };
      for (const linkType of LINK_TYPES) {
        const page = confirm(language, { linkType });
        expect(page.status).toBe(200);
        expect(page.html).toContain(`<html lang="${language}">`);
        expect(page.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
        expect(page.html).toContain('j***@example.com');
        expect(page.html).toContain('Acme Portal');
        expect(page.html.match(/<form /g)).toHaveLength(1);
        expect(page.html).toContain('<form id="continue" method="post" action="/l/tok_abc">');
        expect(page.html).toContain(
          `<button class="button" type="submit">${escapeHtml(buttons[linkType])}</button>`,
        );
        expect(page.html).toContain(escapeHtml(m.confirmNote));
      }
    },
  );

  it('words verification for a phone number differently from an email', () => {
    const page = confirm('en', { linkType: 'verify_identifier', maskedIdentifier: '+44***89' });
    expect(page.html).toContain('Verify my phone number');
    expect(page.html).toContain('Verify your phone number for Acme Portal');
  });

  it('auto mode adds one script carrying the nonce, and the button still posts without it', () => {
    const page = confirm('en', { autoSubmit: true });
    expect(page.html.match(/<script/g)).toHaveLength(1);
    expect(page.html).toContain(`<script nonce="${page.nonce}">`);
    expect(page.html).toContain('form.submit()');
    expect(page.html).toContain('<button class="button" type="submit">Sign in</button>');
    expect(page.html).toContain(messages.en.autoNote);
  });

  it('confirm mode has no script at all', () => {
    for (const language of LANGUAGES) {
      for (const linkType of LINK_TYPES) {
        expect(confirm(language, { linkType }).html).not.toMatch(/<script/i);
      }
    }
  });

  it('escapes a hostile app name, identifier and form action', () => {
    const page = confirm('en', {
      appName: HOSTILE,
      maskedIdentifier: maskIdentifier('"onmouseover=alert(1)@evil.example'),
      formAction: '/l/x" onclick="alert(1)',
      autoSubmit: false,
    });
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).not.toContain('"onmouseover');
    expect(page.html).not.toContain('" onclick');
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=alert(1) x=&#39;');
    expect(page.html).toContain('action="/l/x&quot; onclick=&quot;alert(1)"');
    expect(page.html).toContain('<title>Sign in to &lt;script&gt;');
  });

  it('escapes a hostile masked identifier passed in as is', () => {
    const page = confirm('de', { maskedIdentifier: '<img src=x onerror=alert(1)>' });
    expect(page.html).not.toContain('<img');
    expect(page.html).toContain('Weiter als &lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('renderLinkProblemPage', () => {
  const statuses: Record<LinkProblem, number> = {
    link_expired: 410,
    link_used: 410,
    link_revoked: 410,
    link_invalid: 404,
  };
  const titles: Record<LinkProblem, keyof Messages> = {
    link_expired: 'expiredTitle',
    link_used: 'usedTitle',
    link_revoked: 'revokedTitle',
    link_invalid: 'invalidTitle',
  };

  it.each(LANGUAGES)('renders every problem in %s with its lang, status and title', (language) => {
    const m = messages[language];
    for (const problem of PROBLEMS) {
      const page = renderLinkProblemPage({ language, problem, appName: 'Acme' });
      expect(page.status).toBe(statuses[problem]);
      expect(page.html).toContain(`<html lang="${language}">`);
      expect(page.html).toContain(`<h1>${escapeHtml(m[titles[problem]])}</h1>`);
      expect(page.html).toContain(escapeHtml(m.nextStepWithApp.replace('{app}', 'Acme')));
      expect(page.html).not.toContain('<form');
    }
  });

  it('says a used link already signed someone in and works once', () => {
    const page = renderLinkProblemPage({ language: 'en', problem: 'link_used' });
    expect(page.html).toContain('already signed someone in');
    expect(page.html).toContain('each link works only once');
  });

  it('without an app name, points back to wherever the link came from', () => {
    const page = renderLinkProblemPage({ language: 'fr', problem: 'link_expired' });
    expect(page.html).toContain(escapeHtml(messages.fr.nextStepWithoutApp));
    expect(page.html).not.toContain('class="app"');
  });

  it('offers a new link and a way back when the URLs are given, and only safe ones', () => {
    const page = renderLinkProblemPage({
      language: 'en',
      problem: 'link_revoked',
      appName: 'Acme',
      requestLinkUrl: '/login?app=app_1&redirect_to=home',
      appUrl: 'https://acme.example/',
    });
    expect(page.html).toContain(
      '<a class="button" href="/login?app=app_1&amp;redirect_to=home">Send me a new link</a>',
    );
    expect(page.html).toContain('<a class="button secondary" href="https://acme.example/">Back to Acme</a>');

    for (const bad of [
      'javascript:alert(1)',
      '//evil.example',
      '/\\evil.example',
      '/\t/evil.example',
      'data:,x',
    ]) {
      const unsafe = renderLinkProblemPage({
        language: 'en',
        problem: 'link_invalid',
        requestLinkUrl: bad,
        appUrl: bad,
      });
      expect(unsafe.html, bad).not.toContain('<a ');
    }
  });

  it('escapes a hostile app name', () => {
    const page = renderLinkProblemPage({ language: 'pl', problem: 'link_used', appName: HOSTILE });
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=alert(1)');
  });
});

describe('renderMessagePage', () => {
  it.each(LANGUAGES)('renders in %s with the given status and paragraphs', (language) => {
    const page = renderMessagePage({ language, title: 'Title', body: 'First.\n\nSecond.', status: 403 });
    expect(page.status).toBe(403);
    expect(page.html).toContain(`<html lang="${language}">`);
    expect(page.html).toContain('<title>Title</title>');
    expect(page.html).toContain('<p>First.</p>\n<p>Second.</p>');
  });

  it('escapes title and body', () => {
    const page = renderMessagePage({ language: 'en', title: HOSTILE, body: HOSTILE, status: 400 });
    expect(page.html).not.toMatch(/<script/i);
    expect(page.html).toContain('<h1>&lt;script&gt;');
  });
});

describe('every page', () => {
  it('loads nothing from elsewhere: no URLs, no src, no <link>, no url(), no @import', () => {
    for (const { name, page } of everyPage()) {
      expect(page.html, name).not.toMatch(/https?:\/\//i);
      expect(page.html, name).not.toMatch(/\ssrc=|<link|url\(|@import|<img|<iframe/i);
    }
  });

  it('carries a fresh base64 nonce on its <style>, and has a title and viewport', () => {
    const pages = everyPage();
    for (const { name, page, language } of pages) {
      expect(Buffer.from(page.nonce, 'base64')).toHaveLength(16);
      expect(page.html, name).toContain(`<style nonce="${page.nonce}">`);
      expect(page.html, name).toMatch(/<title>[^<]+<\/title>/);
      expect(page.html, name).toContain('name="viewport"');
      expect(page.html, name).toContain(`lang="${language}"`);
    }
    expect(new Set(pages.map(({ page }) => page.nonce)).size).toBe(pages.length);
  });
});

describe('pageHeaders', () => {
  it('allows only the nonce for styles and scripts, and forbids framing and referrers', () => {
    const headers = pageHeaders('abc+/=');
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'nonce-abc+/='");
    expect(csp).toContain("script-src 'nonce-abc+/='");
    expect(csp).toContain("frame-ancestors 'none'");
    // The POST redirects to the app's site; a form-action directive would block that redirect.
    expect(csp).not.toContain('form-action');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cache-control']).toBe('no-store');
    expect(headers['x-frame-options']).toBe('DENY');
  });
});

describe('maskIdentifier', () => {
  it.each([
    ['jane@example.com', 'j***@example.com'],
    ['J.Doe+tag@Sub.Example.co.uk', 'J***@Sub.Example.co.uk'],
    ['a@b.c', 'a***@b.c'],
    ['  jane@example.com ', 'j***@example.com'],
    ['"odd@local"@example.com', '"***@example.com'],
    ['@example.com', '***@example.com'],
    ['+447911123489', '+44***89'],
    ['+1 (415) 555-0123', '+14***23'],
    ['+12345678', '+12***78'],
    ['username', 'u***'],
    ['😀smile', '😀***'],
    ['12345', '1***'],
    ['', '***'],
    ['trailing@', 't***'],
  ])('%j → %j', (input, expected) => {
    expect(maskIdentifier(input)).toBe(expected);
  });
});

describe('pickLanguage', () => {
  it.each<[Array<string | null | undefined>, string | undefined, Language]>([
    [['de'], 'fr', 'de'],
    [[null, undefined, '', 'xx', 'pt-BR'], 'fr', 'pt'],
    [['ZH-cn'], undefined, 'zh'],
    [['zh-Hans'], undefined, 'zh'],
    [['zh_Hans_CN'], undefined, 'zh'],
    [[], 'fr-CH, fr;q=0.9, en;q=0.8', 'fr'],
    [[], 'en;q=0.5, de-DE;q=0.9, it;q=0.7', 'de'],
    [[], 'ja, ko;q=0.9, it;q=0.1', 'it'],
    [[], 'es;q=0, pl;q=0.2', 'pl'],
    [[], 'es;q=1.5, pl;q=0.2', 'pl'],
    [[], 'es;q=abc, pl;q=0.2', 'pl'],
    [[], 'it;q=0.8, es;q=0.8', 'it'],
    [[], ' PT-br ; Q=0.4 , *;q=0.9', 'pt'],
    [[], '*', 'en'],
    [[], 'ja, ko', 'en'],
    [[], '', 'en'],
    [[], undefined, 'en'],
    [[undefined], ',,;;q=,', 'en'],
  ])('preferred %j, Accept-Language %j → %s', (preferred, header, expected) => {
    expect(pickLanguage(preferred, header)).toBe(expected);
  });

  it('toLanguage matches on the primary subtag only', () => {
    expect(toLanguage('en-GB')).toBe('en');
    expect(toLanguage('english')).toBeUndefined();
    expect(toLanguage(' it ')).toBe('it');
  });
});

describe('renderErrorPage', () => {
  it.each(ERROR_PAGE_CODES)('answers %s with its registry status and code, in words for people', (code) => {
    const page = renderErrorPage({ language: 'en', code });
    expect(page.status).toBe(errorCodes[code].status);
    expect(page.errorCode).toBe(code);
    expect(page.html).toContain(`Error code: <code>${code}</code>`);
    expect(page.html).not.toContain('<form');
  });

  it('says what each kind of failure means and what to do', () => {
    const m = messages.en;
    expect(renderErrorPage({ language: 'en', code: 'rate_limited' }).html).toContain(
      escapeHtml(m.tooManyBody),
    );
    expect(renderErrorPage({ language: 'en', code: 'storage_unavailable' }).html).toContain(
      escapeHtml(m.unavailableBody),
    );
    expect(renderErrorPage({ language: 'en', code: 'internal_error' }).html).toContain(
      escapeHtml(m.brokenBody),
    );
    expect(renderErrorPage({ language: 'en', code: 'forbidden' }).html).toContain(
      escapeHtml(m.requestProblemBody),
    );
  });

  it.each(LANGUAGES)('is translated into %s', (language) => {
    const page = renderErrorPage({ language, code: 'storage_unavailable' });
    expect(page.html).toContain(escapeHtml(messages[language].unavailableTitle));
    if (language !== 'en') expect(messages[language].unavailableBody).not.toBe(messages.en.unavailableBody);
  });
});

describe('error pages carry their code', () => {
  it('sets it on the link problem pages and the header', () => {
    for (const problem of PROBLEMS)
      expect(renderLinkProblemPage({ language: 'en', problem }).errorCode).toBe(problem);
    expect(pageHeaders('n', { errorCode: 'link_used' })['latchkey-error-code']).toBe('link_used');
    expect(pageHeaders('n')).not.toHaveProperty('latchkey-error-code');
  });

  it('asErrorPage takes the status of the code, for a page that shows a coarser problem', () => {
    const page = asErrorPage(
      renderLinkProblemPage({ language: 'en', problem: 'link_invalid' }),
      'token_signature_invalid',
    );
    expect(page.status).toBe(401);
    expect(page.errorCode).toBe('token_signature_invalid');
  });
});
