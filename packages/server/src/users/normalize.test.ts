import { domainToASCII } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPhoneRegion, normalizeEmail, normalizePhone } from './normalize.js';

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'binary-ascii', maxLength: 300 }),
  fc.string({
    unit: fc.constantFrom(
      'a',
      'Z',
      'é',
      'e\u0301',
      '@',
      '.',
      ' ',
      '+',
      '-',
      '(',
      ')',
      '1',
      '9',
      '\u0000',
      '\uD800',
    ),
    maxLength: 60,
  }),
);

const emailLike = fc
  .tuple(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
    fc.domain(),
    fc.boolean(),
    fc.constantFrom('', ' ', '\t'),
  )
  .map(([local, domain, upper, pad]) => `${pad}${upper ? local.toUpperCase() : local}@${domain}${pad}`);

describe('normalizeEmail', () => {
  it.each([
    ['Jane@Example.COM', 'jane@example.com'],
    ['  jane@example.com\n', 'jane@example.com'],
    ['Jose\u0301@example.com', 'jos\u00e9@example.com'],
    ['José@Example.com', 'jos\u00e9@example.com'],
    ['jane+tag@sub.example.co.uk', 'jane+tag@sub.example.co.uk'],
    // One address, one user: the root's trailing dot is dropped, an internationalised domain is kept in its
    // IDNA (punycode) form whichever way it was written.
    ['ada@example.com.', 'ada@example.com'],
    ['ada@Bücher.example', 'ada@xn--bcher-kva.example'],
    ['ada@xn--bcher-kva.example', 'ada@xn--bcher-kva.example'],
    ['ada@例え.テスト', 'ada@xn--r8jz45g.xn--zckzah'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it.each([
    ['an empty first label', 'a@.example.com'],
    ['an empty inner label', 'a@example..com'],
    ['two trailing dots', 'a@example.com..'],
    ['a label starting with a hyphen', 'a@-example.com'],
    ['an underscore in the domain', 'a@ex_ample.com'],
    ['a numeric top-level label', 'a@1.2.3.4'],
    ['a local part starting with a dot', '.ada@example.com'],
    ['two dots in the local part', 'a..da@example.com'],
    ['a label over 63 characters', `a@${'b'.repeat(64)}.com`],
  ])('refuses %s', (_label, raw) => {
    expect(normalizeEmail(raw)).toBeUndefined();
  });

  it('gives a decomposed and a composed address the same form', () => {
    expect(normalizeEmail('Jose\u0301@example.com')).toBe(normalizeEmail('José@example.com'));
  });

  it('answers NFC even where lower-casing makes a new composition possible', () => {
    expect(normalizeEmail('J\u030Cane@example.com')).toBe('\u01F0ane@example.com');
  });

  it.each([
    ['an empty string', ''],
    ['only spaces', '   '],
    ['no at sign', 'jane.example.com'],
    ['two at signs', 'jane@doe@example.com'],
    ['no domain', 'jane@'],
    ['no local part', '@example.com'],
    ['a domain without a dot', 'jane@localhost'],
    ['a space inside', 'jane doe@example.com'],
    ['a display name', 'Jane <jane@example.com>'],
    ['a quoted local part', '"jane doe"@example.com'],
    ['a comma list', 'jane@example.com,bob@example.com'],
    ['a header injection', 'jane@example.com\r\nBcc: bob@example.com'],
    ['a NUL byte', 'ja\u0000ne@example.com'],
    ['a control character', 'jane\u0007@example.com'],
    ['a DEL character', 'jane\u007f@example.com'],
    ['a C1 control character', 'jane\u0085@example.com'],
    ['a lone surrogate', 'jane\uD800@example.com'],
    ['more than 254 characters', `${'a'.repeat(64)}@${'b'.repeat(186)}.com`],
    ['a megabyte of text', 'a'.repeat(1_000_000)],
  ])('answers undefined for %s', (_label, raw) => {
    expect(normalizeEmail(raw)).toBeUndefined();
  });

  it('never throws, and answers a string or undefined', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const result = normalizeEmail(raw);
        expect(result === undefined || typeof result === 'string').toBe(true);
      }),
    );
  });

  it('answers a trimmed, lower-case NFC address of at most 254 characters with one at sign', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, emailLike), (raw) => {
        const result = normalizeEmail(raw);
        if (result === undefined) return;
        expect(result).toBe(result.trim());
        expect(result).toBe(result.toLowerCase());
        expect(result).toBe(result.normalize('NFC'));
        expect(result.length).toBeLessThanOrEqual(254);
        expect(result.split('@')).toHaveLength(2);
      }),
    );
  });

  it('answers what the full Unicode and IDNA path answers, also where it skips that path for ASCII', () => {
    // The slow path, applied to every input: what normalizeEmail did before its ASCII shortcuts.
    const reference = (raw: string) => {
      if (raw.length > 1024) return undefined;
      const trimmed = raw.trim();
      if (!trimmed.isWellFormed() || /\p{Cc}/u.test(trimmed)) return undefined;
      const email = trimmed.normalize('NFC').toLowerCase().normalize('NFC');
      const at = email.lastIndexOf('@');
      const domain = email.slice(at + 1).replace(/\.$/, '');
      const ascii = domain === '' ? '' : domainToASCII(domain);
      return normalizeEmail(`${email.slice(0, at)}@${ascii || '\u0000'}`);
    };
    const hosts = fc.constantFrom(
      'example.com',
      'example.0x10',
      '1.2.3.4',
      'a..b.com',
      '-a.com',
      'x.y1',
      'a.b.c-',
    );
    const tricky = fc.tuple(fc.constantFrom('jane', 'Jane.Doe', 'a+b'), hosts).map(([l, h]) => `${l}@${h}`);
    fc.assert(
      fc.property(fc.oneof(anyText, emailLike, tricky), (raw) => {
        expect(normalizeEmail(raw)).toBe(reference(raw));
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, emailLike), (raw) => {
        const once = normalizeEmail(raw);
        if (once !== undefined) expect(normalizeEmail(once)).toBe(once);
      }),
    );
  });

  it('accepts ordinary addresses', () => {
    fc.assert(
      fc.property(
        fc.emailAddress().filter((e) => e.length <= 254),
        (email) => {
          expect(normalizeEmail(email)).toBe(email.toLowerCase());
        },
      ),
    );
  });

  it('answers quickly for long hostile input', () => {
    const started = performance.now();
    normalizeEmail(`a@${'a.'.repeat(50_000)}`);
    normalizeEmail(`${'@'.repeat(100_000)}.`);
    normalizeEmail(`${' '.repeat(100_000)}x`);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('normalizePhone', () => {
  it('drops the national trunk prefix written after the country code: one number, one user', () => {
    expect(normalizePhone('+44 (0) 20 7946 0958')).toBe('+442079460958');
    expect(normalizePhone('+44 (0) 20 7946 0958')).toBe(normalizePhone('+442079460958'));
  });

  it.each([
    ['a number no country assigns', '+10000000000'],
    ['an unassigned country code', '+999123456789'],
    ['a 555 number', '+1 (555) 010-9999'],
  ])('refuses %s', (_label, raw) => {
    expect(normalizePhone(raw)).toBeUndefined();
  });

  it('reads a number without + in the default region, and only with one', () => {
    expect(normalizePhone('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalizePhone('(415) 555-0123', 'US')).toBe('+14155550123');
    expect(normalizePhone('020 7946 0958')).toBeUndefined();
    // A number with + keeps its own country whatever the default.
    expect(normalizePhone('+49 151 12345678', 'GB')).toBe('+4915112345678');
  });

  it('knows the two-letter regions', () => {
    expect(isPhoneRegion('GB')).toBe(true);
    expect(isPhoneRegion('gb')).toBe(false);
    expect(isPhoneRegion('XX')).toBe(false);
    expect(isPhoneRegion('GBR')).toBe(false);
  });

  it.each([
    ['+14155550123', '+14155550123'],
    ['+1 (415) 555-0123', '+14155550123'],
    ['+44 20 7946 0958', '+442079460958'],
    ['  +49.151.1234.5678  ', '+4915112345678'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normalizePhone(raw)).toBe(expected);
  });

  it.each([
    ['an empty string', ''],
    ['a plus only', '+'],
    ['no country code and no default region', '4155550123'],
    ['a 00 prefix', '0044 20 7946 0958'],
    ['country code 0', '+0123456789'],
    ['too short', '+12345'],
    ['too long', '+1234567890123456'],
    ['letters', '+1 415 CALL NOW'],
    ['an extension', '+1 415 555 0123 ext 5'],
    ['two plus signs', '++14155550123'],
    ['a NUL byte', '+1415555\u00000123'],
    ['non-ASCII digits', '+\u0661\u0664\u0661\u0665\u0665\u0665\u0665\u0660\u0661\u0662\u0663'],
    ['full-width digits', '+\uff11\uff14\uff11\uff15\uff15\uff15\uff15\uff10\uff11\uff12\uff13'],
    ['a megabyte of text', '1'.repeat(1_000_000)],
  ])('answers undefined for %s', (_label, raw) => {
    expect(normalizePhone(raw)).toBeUndefined();
  });

  it('never throws, and answers E.164 or undefined', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const result = normalizePhone(raw);
        if (result !== undefined) expect(result).toMatch(/^\+[1-9]\d{6,14}$/);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const once = normalizePhone(raw);
        if (once !== undefined) expect(normalizePhone(once)).toBe(once);
      }),
    );
  });
});
