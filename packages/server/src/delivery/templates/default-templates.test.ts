import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../pages/languages.js';
import { defaultTemplate, LINK_TYPES, TEMPLATE_VARIABLES } from './default-templates.js';
import { expiresInWords } from './expires-in.js';
import { renderParts, TEMPLATE_PARTS, type TemplateData } from './render.js';
import { STRINGS } from './strings.js';
import { validateTemplateParts } from './validate.js';

/** 82 characters, as a real link is for a `public_url` of 30. */
const LINK = `https://auth.example.com/l/01zt3q${'Zt3q9VbK1mXo7LwR2cYh5NfP8sJd4GaE6uTi0yQk_-A'}abcdef`;
const CODE = '7KQ4-MZ';
const KINDS = ['email', 'phone'] as const;
const TTL = { login: 15, verify_identifier: 24 * 60, invite: 7 * 24 * 60 } as const;

function data(
  language: (typeof LANGUAGES)[number],
  type: (typeof LINK_TYPES)[number],
  kind: 'email' | 'phone',
  code?: string,
): TemplateData {
  return {
    app_name: 'Acme Portal',
    link_url: LINK,
    expires_in: expiresInWords(TTL[type], language),
    code,
    identifier: kind === 'email' ? 'jane@example.com' : '+14155550123',
    is_email: kind === 'email',
    is_phone: kind === 'phone',
  };
}

/** Every key path of a nested object of strings, e.g. `login.subject`. */
function keyPaths(value: object, prefix = ''): string[] {
  return Object.entries(value).flatMap(([key, child]) =>
    typeof child === 'object' && child !== null ? keyPaths(child, `${prefix}${key}.`) : [`${prefix}${key}`],
  );
}

function lookup(value: object, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], value);
}

const variablesIn = (template: string) =>
  [...new Set([...template.matchAll(/\{\{[#^/]?\s*([a-z_]+)\s*\}\}/g)].map((m) => m[1]))].sort();

describe('the strings of every language', () => {
  const english = keyPaths(STRINGS.en).sort();

  it('has exactly the keys of the English set, none empty', () => {
    expect(english.length).toBeGreaterThan(20);
    for (const language of LANGUAGES) {
      const keys = keyPaths(STRINGS[language]).sort();
      expect(keys, `${language} differs from en`).toEqual(english);
      for (const key of keys) {
        const value = lookup(STRINGS[language], key);
        expect(typeof value === 'string' && value.trim().length > 0, `${language}.${key} is empty`).toBe(
          true,
        );
      }
    }
  });

  it('uses the same template variables as English in every string', () => {
    for (const language of LANGUAGES) {
      for (const key of english) {
        const translated = lookup(STRINGS[language], key) as string;
        const original = lookup(STRINGS.en, key) as string;
        expect(variablesIn(translated), `${language}.${key}`).toEqual(variablesIn(original));
      }
    }
  });

  it('writes the code line with {{code}} exactly once', () => {
    for (const language of LANGUAGES) expect(STRINGS[language].code.split('{{code}}')).toHaveLength(2);
  });
});

describe('built-in templates', () => {
  it('lists the variables a template may use', () => {
    expect([...TEMPLATE_VARIABLES].sort()).toEqual(
      ['app_name', 'code', 'expires_in', 'identifier', 'is_email', 'is_phone', 'link_url'].sort(),
    );
  });

  it('pass the same validation as an override', () => {
    for (const type of LINK_TYPES) {
      for (const language of LANGUAGES)
        expect(() => validateTemplateParts(defaultTemplate(type, language))).not.toThrow();
    }
  });

  for (const type of LINK_TYPES) {
    for (const language of LANGUAGES) {
      for (const kind of KINDS) {
        it(`${type} / ${language} / ${kind} renders every part completely, with and without a code`, () => {
          const parts = defaultTemplate(type, language);
          const codeLead = STRINGS[language].code.split('{{code}}')[0]!.trim();
          for (const code of [CODE, undefined]) {
            const input = data(language, type, kind, code);
            const out = renderParts(parts, input);
            for (const part of TEMPLATE_PARTS) {
              const value = out[part];
              expect(value.trim(), `${part} is empty`).not.toBe('');
              expect(value, `${part} has a leftover tag`).not.toMatch(/\{\{|\}\}/);
              expect(value, `${part} lacks the app name`).toContain('Acme Portal');
              if (part !== 'subject') {
                expect(value, `${part} lacks the link`).toContain(LINK);
                expect(value, `${part} lacks the expiry`).toContain(input.expires_in);
              }
              if (code)
                expect(value.includes(CODE) || part === 'subject', `${part} lacks the code`).toBe(true);
              else expect(value, `${part} shows a code that was not given`).not.toContain(CODE);
            }
            expect(out.subject).not.toMatch(/[\r\n]/);
            expect(out.html).toContain(`lang="${language === 'zh' ? 'zh-Hans' : language}"`);
            if (!code) {
              expect(out.text).not.toContain(codeLead);
              expect(out.html).not.toContain(codeLead);
            }
          }
        });
      }
    }
  }

  it('words verify_identifier for the kind of identifier', () => {
    const parts = defaultTemplate('verify_identifier', 'en');
    const email = renderParts(parts, data('en', 'verify_identifier', 'email'));
    const phone = renderParts(parts, data('en', 'verify_identifier', 'phone'));
    expect(email.subject).toBe('Verify your email for Acme Portal');
    expect(phone.subject).toBe('Verify your phone number for Acme Portal');
    expect(email.text).toContain('is your email address');
    expect(phone.text).toContain('is your phone number');
    expect(phone.html).toContain('Verify my phone number');
    expect(phone.sms).toContain('verify your number');
  });

  it('reads as the English examples say', () => {
    const out = renderParts(defaultTemplate('login', 'en'), data('en', 'login', 'email', CODE));
    expect(out.subject).toBe('Sign in to Acme Portal');
    expect(out.text).toContain('Or enter this code: 7KQ4-MZ');
    expect(out.text).toContain('This link and the code expire in 15 minutes.');
    expect(out.text).toContain('you can safely ignore this email');
    const plain = renderParts(defaultTemplate('login', 'en'), data('en', 'login', 'email'));
    expect(plain.text).toContain('This link expires in 15 minutes.');
    expect(plain.text).not.toMatch(/\n{3,}/);
    expect(plain.sms).toBe(`Acme Portal: sign in with ${LINK} (expires in 15 minutes)`);
  });

  it('builds accessible, self-contained HTML', () => {
    for (const type of LINK_TYPES) {
      for (const language of LANGUAGES) {
        const { html } = renderParts(defaultTemplate(type, language), data(language, type, 'email', CODE));
        expect(html).not.toMatch(/<img\b/i);
        expect(html).not.toMatch(/<script\b/i);
        expect(html).not.toMatch(/<link\b/i);
        const urls = html.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
        expect(new Set(urls)).toEqual(new Set([LINK]));
        expect(html).toContain(`<a href="${LINK}"`);
        expect(html).toContain(`>${LINK}</a>`);
        const tables = html.match(/<table\b[^>]*>/g) ?? [];
        expect(tables.length).toBeGreaterThan(0);
        for (const table of tables) expect(table).toContain('role="presentation"');
        expect(html).toMatch(/<h1\b/);
        expect(html).toMatch(/<title>[^<]+<\/title>/);
        expect(html).toContain('prefers-color-scheme: dark');
      }
    }
  });

  it('keeps every SMS under 300 characters for a 82-character link, code included', () => {
    expect(LINK).toHaveLength(82);
    for (const type of LINK_TYPES) {
      for (const language of LANGUAGES) {
        for (const kind of KINDS) {
          const { sms } = renderParts(defaultTemplate(type, language), data(language, type, kind, CODE));
          expect(sms.length, `${type}/${language}/${kind}`).toBeLessThan(300);
          expect(sms).not.toMatch(/<[a-z!/]/i);
        }
      }
    }
  });

  it('fits a sign-in SMS in one GSM-7 segment where the alphabet allows', () => {
    const short = { app_name: 'Acme' };
    const single = (sms: string) => isGsm7(sms) && sms.length <= 160;
    for (const language of ['en', 'de', 'es', 'fr', 'it', 'pl', 'pt'] as const) {
      const { sms } = renderParts(defaultTemplate('login', language), {
        ...data(language, 'login', 'email'),
        ...short,
      });
      expect(single(sms), `${language}: ${sms}`).toBe(true);
    }
    for (const language of ['en', 'de', 'fr', 'it', 'pl'] as const) {
      const { sms } = renderParts(defaultTemplate('login', language), {
        ...data(language, 'login', 'email', CODE),
        ...short,
      });
      expect(single(sms), `${language}: ${sms}`).toBe(true);
    }
  });

  it('hands out copies, so a caller cannot change the built-ins', () => {
    const parts = defaultTemplate('login', 'en');
    parts.subject = 'changed';
    expect(defaultTemplate('login', 'en').subject).toBe('Sign in to {{app_name}}');
  });
});

// GSM 03.38 basic character set (the extension table costs two characters and is not needed here).
const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const isGsm7 = (text: string) => [...text].every((c) => GSM7.includes(c));
