import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AllowEntry, checkRedirect, parseAllowEntry } from './redirect-policy.js';

const ORIGIN = ['https://good.com'];
const PREFIX = ['https://good.com/auth'];
const PORTED = ['https://good.com:8443'];
const MIXED = ['https://good.com/auth', 'http://localhost:3000', 'https://app.example.com:8443/cb/'];

function expectAllowed(target: string, allowlist: readonly string[], normalised?: string) {
  const result = checkRedirect(target, allowlist);
  expect(result, target).toEqual({ ok: true, url: normalised ?? new URL(target).href });
}

function expectRefused(target: string, allowlist: readonly string[]) {
  const result = checkRedirect(target, allowlist);
  expect(result.ok, `${JSON.stringify(target)} should be refused`).toBe(false);
  if (!result.ok) expect(result.reason).toEqual(expect.any(String));
}

describe('parseAllowEntry', () => {
  it('parses an origin into scheme, host, port and the root path', () => {
    expect(parseAllowEntry('https://good.com')).toEqual({
      protocol: 'https:',
      hostname: 'good.com',
      port: '',
      path: '/',
    } satisfies AllowEntry);
  });

  it('keeps a path prefix and an explicit port, lower-casing the host', () => {
    expect(parseAllowEntry('HTTPS://Good.COM:8443/auth')).toEqual({
      protocol: 'https:',
      hostname: 'good.com',
      port: '8443',
      path: '/auth',
    });
  });

  it('refuses entries that are not plain http(s) origins or prefixes', () => {
    for (const raw of [
      '',
      'good.com',
      '/auth',
      '//good.com',
      'javascript:alert(1)',
      'ftp://good.com',
      'https://user@good.com',
      'https://good.com/auth?x=1',
      'https://good.com/#frag',
      'https://good.com/ auth',
      'https://good.com\\auth',
    ]) {
      expect(typeof parseAllowEntry(raw), raw).toBe('string');
    }
  });
});

describe('checkRedirect: what passes', () => {
  it('accepts the exact origin with any path under it', () => {
    expectAllowed('https://good.com', ORIGIN, 'https://good.com/');
    expectAllowed('https://good.com/', ORIGIN);
    expectAllowed('https://good.com/any/where?x=1#y', ORIGIN);
  });

  it('accepts a path prefix by whole segments', () => {
    expectAllowed('https://good.com/auth', PREFIX);
    expectAllowed('https://good.com/auth/', PREFIX);
    expectAllowed('https://good.com/auth/x', PREFIX);
    expectAllowed('https://good.com/auth/x/y?next=1', PREFIX);
    expectAllowed('https://good.com/auth?x=1', PREFIX);
  });

  it('accepts the matching port, and the default port written out', () => {
    expectAllowed('https://good.com:8443/x', PORTED);
    expectAllowed('https://good.com:443/x', ORIGIN, 'https://good.com/x');
    expectAllowed('http://localhost:3000/cb', MIXED);
  });

  it('accepts a mixed-case scheme and host and returns them lower-cased', () => {
    expectAllowed('HTTPS://GOOD.com/x', ORIGIN, 'https://good.com/x');
    expectAllowed('hTtPs://gOoD.cOm/auth/X', PREFIX, 'https://good.com/auth/X');
  });
});

describe('checkRedirect: what is refused', () => {
  it('refuses a path that only shares a prefix string with the allowed one', () => {
    for (const target of [
      'https://good.com/authx',
      'https://good.com/auth-evil',
      'https://good.com/auth.evil',
      'https://good.com/aut',
      'https://good.com/',
      'https://good.com/other/auth',
      'https://good.com/AUTH',
    ]) {
      expectRefused(target, PREFIX);
    }
  });

  it('refuses dangerous schemes in any case', () => {
    for (const target of [
      'javascript:alert(1)',
      'JAVASCRIPT:alert(1)',
      'JavaScript://good.com/%0aalert(1)',
      'data:text/html,<script>alert(1)</script>',
      'DATA:text/html;base64,PHNjcmlwdD4=',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://good.com/',
    ]) {
      expectRefused(target, ORIGIN);
    }
  });

  it('refuses relative and scheme-less targets', () => {
    for (const target of [
      '//evil.com',
      '//good.com',
      '/relative',
      'relative',
      'https:evil.com',
      'https:good.com',
      'https:/good.com',
      '',
    ]) {
      expectRefused(target, ORIGIN);
    }
  });

  it('refuses backslash tricks', () => {
    for (const target of [
      'https://good.com\\@evil.com',
      'https:\\\\evil.com',
      '/\\evil.com',
      '\\\\evil.com',
      'https://good.com\\.evil.com',
      'https://evil.com\\good.com',
      'https://good.com/\\evil.com',
    ]) {
      expectRefused(target, ORIGIN);
    }
  });

  it('refuses any userinfo', () => {
    for (const target of [
      'https://good.com@evil.com',
      'https://user:pass@good.com',
      'https://user@good.com/',
      'https://:@good.com/',
      'https://good.com:443@evil.com',
      'https://evil.com#@good.com',
      'https://evil.com?@good.com',
    ]) {
      expectRefused(target, ORIGIN);
    }
  });

  it('refuses look-alike hosts', () => {
    for (const target of [
      'https://good.com.evil.com',
      'https://goodXcom',
      'https://goodxcom/',
      'https://evil-good.com',
      'https://evilgood.com',
      'https://sub.good.com',
      `https://${new URL('https://gооd.com').hostname}/`,
      'https://xn--gd-fmca.com/',
      'https://gооd.com/',
      'https://good.com./',
      'https://good.com..',
      'https://good.co/',
      'https://good.com.au/',
    ]) {
      expectRefused(target, ORIGIN);
    }
  });

  it('refuses another port', () => {
    expectRefused('https://good.com:444/', ORIGIN);
    expectRefused('https://good.com:8443/', ORIGIN);
    expectRefused('https://good.com/', PORTED);
    expectRefused('https://good.com:8444/', PORTED);
  });

  it('refuses another scheme', () => {
    expectRefused('http://good.com/', ORIGIN);
    expectRefused('https://localhost:3000/cb', MIXED);
    expectRefused('wss://good.com/', ORIGIN);
  });

  it('refuses dot-segment traversal out of the prefix', () => {
    for (const target of [
      'https://good.com/auth/../admin',
      'https://good.com/auth/%2e%2e/admin',
      'https://good.com/auth/%2E%2E/admin',
      'https://good.com/auth/.%2e/admin',
      'https://good.com/auth/x/../../admin',
    ]) {
      expectRefused(target, PREFIX);
    }
  });

  it('refuses encoded separators that let a decoding server leave the prefix', () => {
    for (const target of [
      'https://good.com/auth/..%2fadmin',
      'https://good.com/auth/..%2Fadmin',
      'https://good.com/auth/%2e%2e%2fadmin',
      'https://good.com/auth/%5c..%5cadmin',
      'https://good.com/auth%2f..%2fadmin',
    ]) {
      expectRefused(target, PREFIX);
    }
  });

  it('refuses percent-encoded host and userinfo tricks', () => {
    for (const target of [
      'https://good.com%2f@evil.com',
      'https://good.com%2F@evil.com/',
      'https://good.com%40evil.com',
      'https://good.com%09.evil.com',
      'https://good.com%00.evil.com',
      'https://evil.com%00.good.com',
      'https://good.com%2eevil.com',
      'java%09script:alert(1)',
      'https://evil.com%23@good.com',
      'https://good.com%5c@evil.com',
    ]) {
      expectRefused(target, ORIGIN);
    }
  });

  it('refuses whitespace and control characters anywhere', () => {
    const characters = [
      ' ',
      '\t',
      '\n',
      '\r',
      '\0',
      '\x0b',
      '\x0c',
      '\x1b',
      '\x7f',
      '\u00a0',
      '\u2028',
      '\u200b',
      '\ufeff',
    ];
    const target = 'https://good.com/path';
    for (const char of characters) {
      for (let at = 0; at <= target.length; at++) {
        expectRefused(target.slice(0, at) + char + target.slice(at), ORIGIN);
      }
    }
  });

  it('refuses non-ASCII hosts and over-long targets', () => {
    expectRefused('https://göod.com/', ORIGIN);
    expectRefused('https://good．com/', ORIGIN);
    expectRefused(`https://good.com/${'a'.repeat(3000)}`, ORIGIN);
  });

  it('refuses everything with an empty allowlist', () => {
    expectRefused('https://good.com/', []);
  });
});

const HOSTILE_FRAGMENTS = [
  'https://',
  'http://',
  'HTTPS://',
  'javascript:',
  'data:',
  '//',
  '/',
  '\\',
  '@',
  ':',
  '.',
  '..',
  '?',
  '#',
  '%2e',
  '%2f',
  '%5c',
  '%40',
  '%00',
  '%09',
  '%23',
  ' ',
  '\t',
  '\n',
  'good.com',
  'GOOD.COM',
  'evil.com',
  'app.example.com',
  'localhost',
  'auth',
  'cb',
  '443',
  '3000',
  '8443',
  'user:pass',
  'xn--gd-fmca',
  'gооd',
  '[::1]',
  '127.0.0.1',
];

const FUZZ_ALLOWLIST = ['https://good.com', 'https://app.example.com:8443/cb/', 'http://localhost:3000/auth'];
const FUZZ_ENTRIES = FUZZ_ALLOWLIST.map((raw) => parseAllowEntry(raw) as AllowEntry);

function checkInvariant(target: string) {
  const result = checkRedirect(target, FUZZ_ALLOWLIST);
  if (!result.ok) return;
  const url = new URL(result.url);
  expect(url.username).toBe('');
  expect(url.password).toBe('');
  const entry = FUZZ_ENTRIES.find(
    (e) => e.protocol === url.protocol && e.hostname === url.hostname && e.port === url.port,
  );
  expect(entry, `${JSON.stringify(target)} → ${result.url}`).toBeDefined();
  const prefix = entry!.path.replace(/\/$/, '');
  expect(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`)).toBe(true);
}

describe('checkRedirect: fuzzed', () => {
  it('never throws and only passes allowlisted origins for arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200, unit: 'binary' }), checkInvariant), { numRuns: 3000 });
  });

  it('never throws and only passes allowlisted origins for arbitrary web URLs', () => {
    fc.assert(fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), checkInvariant), {
      numRuns: 3000,
    });
  });

  it('never throws and only passes allowlisted origins for hostile concatenations', () => {
    const hostile = fc
      .array(fc.constantFrom(...HOSTILE_FRAGMENTS), { minLength: 1, maxLength: 12 })
      .map((parts) => parts.join(''));
    fc.assert(fc.property(hostile, checkInvariant), { numRuns: 5000 });
  });

  it('never throws and only passes allowlisted origins for mutations of an allowed URL', () => {
    const mutated = fc
      .tuple(
        fc.constantFrom(
          'https://good.com/x',
          'https://app.example.com:8443/cb/y',
          'http://localhost:3000/auth/z',
        ),
        fc.nat(),
        fc.constantFrom(...HOSTILE_FRAGMENTS),
      )
      .map(([base, at, fragment]) => {
        const cut = at % (base.length + 1);
        return base.slice(0, cut) + fragment + base.slice(cut);
      });
    fc.assert(fc.property(mutated, checkInvariant), { numRuns: 3000 });
  });
});
