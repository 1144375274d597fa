import { describe, expect, it } from 'vitest';
import { breaksHeader, clip, firstHttpUrl, scrub } from './scrub.js';

const LINK = 'https://auth.acme.test/l/abcdefghQRSTuvwx';
const BODY = `Hello Ada,\n\nOpen this link to sign in to Acme:\n${LINK}\n\nOr enter the code 482913.\n`;

describe('scrub', () => {
  it('removes the link, its token without digits and the code; other hosts stay', () => {
    const text = scrub('550 see https://help.example.org/x; token abcdefghQRSTuvwx, code 482913', [BODY]);
    expect(text).toBe('550 see https://help.example.org/x; token [removed], code [removed]');
    expect(scrub(`550 refused ${LINK} for you`, [BODY])).toBe('550 refused [quoted message removed]');
  });

  it('removes any other URL on the host of the link, and a reflowed quote of the body', () => {
    expect(scrub('see https://AUTH.acme.test/other', [BODY])).toBe('see [link removed]');
    const quoted = `554 spam: ${BODY.replace(/\s+/g, ' ')}`;
    expect(scrub(quoted, [BODY])).toBe('554 spam: [quoted message removed]');
  });

  it('lets the allowed values be quoted', () => {
    const body = `${BODY}This message was sent to someone.long.name@example.test.`;
    const reply = '550 5.1.1 <someone.long.name@example.test>: Recipient address rejected';
    expect(scrub(reply, [body], ['someone.long.name@example.test'])).toBe(reply);
    expect(scrub(reply, [body])).not.toContain('Recipient address rejected');
  });

  it('cuts to 300 characters on one line', () => {
    const text = scrub(`a\r\nb ${'x'.repeat(400)}`, []);
    expect(text.length).toBe(300);
    expect(text.startsWith('a b ')).toBe(true);
    expect(clip('a\u0000b\u001b[31mc')).toBe('a b [31mc');
  });
});

describe('firstHttpUrl and breaksHeader', () => {
  it('finds the first http(s) URL without trailing punctuation', () => {
    expect(firstHttpUrl(`Open ${LINK}.`)).toBe(LINK);
    expect(firstHttpUrl(`(${LINK}), then http://b.example/`)).toBe(LINK);
    expect(firstHttpUrl('no link here, ftp://x.example/ is not one')).toBeUndefined();
  });

  it('spots CR, LF and NUL', () => {
    expect(['a\rb', 'a\nb', 'a\0b'].map(breaksHeader)).toEqual([true, true, true]);
    expect(breaksHeader('Grüße, "Acme"')).toBe(false);
  });
});
