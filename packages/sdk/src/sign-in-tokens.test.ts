import { decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSignInTokenAsync, signInUrlAsync } from './sign-in-tokens.js';
import { generateSignInToken, signInUrl } from './sign-in-tokens-node.js';

const secret = 'lk_hs_PyOzRpLVvoocUcrUxE8woHWk9QUbr4O09ENcLOPhCoY';

describe('sign-in tokens', () => {
  it('makes an HS256 JWT that a standard JWT library verifies', async () => {
    const token = generateSignInToken(1234, 600, { secret, kid: 'sk_1', redirectTo: 'invoices' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'sk_1' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    expect(payload.sub).toBe(1234);
    expect(payload.iss).toBe('latchkey-sdk');
    expect(payload.redirect_to).toBe('invoices');
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(typeof payload.jti).toBe('string');
  });

  it('gives every token its own jti and leaves kid out when not given', () => {
    const a = generateSignInToken('cus_1', 60, { secret, issuer: 'billing' });
    const b = generateSignInToken('cus_1', 60, { secret, issuer: 'billing' });
    expect(a).not.toBe(b);
    expect(decodeProtectedHeader(a)).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('builds the link with the shortcut in the query', () => {
    const url = new URL(
      signInUrl('cus_1', 60, { secret, baseUrl: 'https://auth.example.com/', redirectTo: 'x' }),
    );
    expect(url.origin).toBe('https://auth.example.com');
    expect(url.pathname).toMatch(/^\/login\/[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(url.searchParams.get('redirect_to')).toBe('x');
  });

  it('refuses a negative customer id, which the server would refuse', () => {
    expect(() => generateSignInToken(-1, 60, { secret })).toThrow(TypeError);
    expect(() => generateSignInToken(-Number.MAX_SAFE_INTEGER, 60, { secret })).toThrow(TypeError);
    expect(generateSignInToken(0, 60, { secret })).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('refuses bad input', () => {
    expect(() => generateSignInToken('', 60, { secret })).toThrow(TypeError);
    expect(() => generateSignInToken(12.5, 60, { secret })).toThrow(TypeError);
    expect(() => generateSignInToken('c', 0, { secret })).toThrow(RangeError);
    expect(() => generateSignInToken('c', 60, { secret: '' })).toThrow(TypeError);
  });
});

// The root entry's signer, on Web Crypto for browsers and edge runtimes: the same tokens, as promises.
describe('sign-in tokens with Web Crypto', () => {
  it('signs the same claims with the same key as the node:crypto signer', async () => {
    const token = await generateSignInTokenAsync('cus_1', 600, {
      secret,
      kid: 'sk_1',
      email: 'ada@example.com',
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'sk_1' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ sub: 'cus_1', iss: 'latchkey-sdk', email: 'ada@example.com' });
    const sync = generateSignInToken('cus_1', 600, { secret, kid: 'sk_1', email: 'ada@example.com' });
    expect(token.split('.')[0]).toBe(sync.split('.')[0]);
  });

  it('builds the link and rejects bad input', async () => {
    const url = new URL(
      await signInUrlAsync('cus_1', 60, { secret, baseUrl: 'https://auth.example.com', redirectTo: 'x' }),
    );
    expect(url.pathname).toMatch(/^\/login\/[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(url.searchParams.get('redirect_to')).toBe('x');
    await expect(generateSignInTokenAsync(-1, 60, { secret })).rejects.toThrow(TypeError);
    await expect(generateSignInTokenAsync('c', 0, { secret })).rejects.toThrow(RangeError);
  });
});
