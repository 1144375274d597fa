import { describe, expect, it } from 'vitest';
import { LANGUAGES } from './languages.js';
import { loginMessages } from './login-messages.js';
import { renderApprovePage, renderCheckPage, renderLoginForm } from './login-pages.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('login page strings', () => {
  const en = loginMessages.en;
  it.each(LANGUAGES)('%s has every string, with the same placeholders as English', (language) => {
    const m = loginMessages[language];
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(m[key], `${language}.${key}`).toBeTruthy();
      expect(placeholders(m[key]), `${language}.${key}`).toEqual(placeholders(en[key]));
    }
  });

  it.each(LANGUAGES)('%s renders every page without a stray placeholder', (language) => {
    const pages = [
      renderLoginForm({ language, appId: 'app_1', appName: 'Acme <b>', channel: 'email' }),
      renderLoginForm({
        language,
        appId: 'app_1',
        appName: 'Acme',
        channel: 'phone',
        error: 'errorIdentifier',
      }),
      renderCheckPage({
        language,
        appId: 'app_1',
        appName: 'Acme',
        channel: 'email',
        maskedIdentifier: 'j***@x.com',
      }),
      renderApprovePage({
        language,
        appName: 'Acme',
        maskedIdentifier: 'j***@x.com',
        device: { browser: 'Firefox', system: 'Linux' },
        requestedAt: 0,
        now: 125_000,
        formAction: '/login/link/x',
      }),
    ];
    for (const page of pages) {
      expect(page.html).not.toMatch(/\{\w+\}/);
      expect(page.html).not.toContain('<b>');
      expect(page.html).toContain(`<html lang="${language}">`);
    }
  });

  it('says how long ago the request was made, in the page language', () => {
    const page = (language: 'en' | 'de') =>
      renderApprovePage({
        language,
        appName: 'Acme',
        maskedIdentifier: 'j***@x.com',
        device: { browser: null, system: null },
        requestedAt: 0,
        now: 3 * 60_000,
        formAction: '/login/link/x',
      }).html;
    expect(page('en')).toContain('3 minutes ago');
    expect(page('en')).toContain(loginMessages.en.unknownDevice);
    expect(page('de')).toContain('vor 3 Minuten');
  });
});
