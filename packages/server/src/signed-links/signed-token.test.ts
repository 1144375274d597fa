import fc from 'fast-check';
import { decodeProtectedHeader, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.js';
import {
  checkAlgorithm,
  checkTokenLength,
  hmacSha256,
  MAX_TOKEN_LENGTH,
  parseToken,
  signatureMatches,
  signToken,
} from './signed-token.js';

const SECRET = 'lk_hs_unit-test-secret-0123456789abcdefghijklmno';
const KEY = new TextEncoder().encode(SECRET);
const PARSER_CODES = new Set(['token_malformed', 'token_algorithm_not_allowed']);

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const b64json = (value: unknown) => b64(JSON.stringify(value));
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The same signature bytes spelled differently: the last character's spare low bit flipped. */
const respell = (token: string) => `${token.slice(0, -1)}${B64URL[B64URL.indexOf(token.at(-1)!) ^ 1]}`;
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

function joseToken(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims as JWTPayload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(KEY);
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
  return undefined;
}

/** Parses and checks the way the service does; true when it ends well or with one of the parser's own codes. */
function failsOnlyWithTokenCodes(input: string): boolean {
  try {
    const parsed = parseToken(input);
    checkAlgorithm(parsed.header);
    signatureMatches(parsed, SECRET);
    return true;
  } catch (error) {
    return error instanceof ApiError && PARSER_CODES.has(error.code);
  }
}

const base64urlish = fc.string({
  unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '.split('')),
  maxLength: 200,
});
const trickyObject = fc.dictionary(
  fc.constantFrom('toString', 'valueOf', 'toJSON', '__proto__', 'constructor', 'length', 'alg'),
  fc.jsonValue({ maxDepth: 2 }),
);
const headerValue = fc.oneof(
  fc.constantFrom('HS256', 'hs256', 'none', 'NONE', 'HS384', 'RS256', 'ES256', 'JWT', ''),
  fc.jsonValue({ maxDepth: 2 }),
  trickyObject,
);
const header = fc.oneof(
  fc.record(
    { alg: headerValue, typ: headerValue, kid: headerValue, crit: headerValue },
    { requiredKeys: ['alg'] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const payload = fc.oneof(
  fc.record(
    { sub: fc.jsonValue({ maxDepth: 1 }), exp: fc.jsonValue({ maxDepth: 1 }), iss: fc.string() },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const signature = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
  base64urlish,
);
const threeParts = fc
  .tuple(header, payload, signature)
  .map(([h, p, s]) => `${b64json(h)}.${b64json(p)}.${s}`);
const rawThreeParts = fc
  .tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), signature)
  .map(([h, p, s]) => `${b64(h)}.${b64(p)}.${s}`);

describe('signToken', () => {
  it('makes a token that jose verifies as HS256 with the same claims', async () => {
    const claims = { sub: 1234, iss: 'billing', exp: inAnHour() };
    const token = signToken(claims, SECRET);
    const { payload: verified, protectedHeader } = await jwtVerify(token, KEY, { algorithms: ['HS256'] });
    expect(verified).toEqual(claims);
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('puts the kid in the header when given one', async () => {
    const token = signToken({ sub: 'cus_1', exp: inAnHour() }, SECRET, 'sk_abc');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'sk_abc' });
    await expect(jwtVerify(token, KEY, { algorithms: ['HS256'] })).resolves.toBeDefined();
  });

  it('agrees with jose on arbitrary claims', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer(), fc.string({ unit: 'binary', minLength: 1 })),
        fc.string({ unit: 'binary' }),
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
        async (sub, iss, extra) => {
          const claims = { ...extra, sub, iss, exp: inAnHour() };
          const token = signToken(claims, SECRET);
          const { payload: verified } = await jwtVerify(token, KEY, { algorithms: ['HS256'] });
          expect(verified).toEqual(JSON.parse(JSON.stringify(claims)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('parseToken and signatureMatches on jose-made tokens', () => {
  it('parses a jose token with a numeric sub and finds its signature valid', async () => {
    const exp = inAnHour();
    const token = await joseToken({ sub: 1234, iss: 'billing', exp });
    const parsed = parseToken(token);
    expect(parsed.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(parsed.claims).toEqual({ sub: 1234, iss: 'billing', exp });
    expect(() => checkAlgorithm(parsed.header)).not.toThrow();
    expect(signatureMatches(parsed, SECRET)).toBe(true);
  });

  it('finds the signature invalid under another secret', async () => {
    const parsed = parseToken(await joseToken({ sub: 1, exp: inAnHour() }));
    expect(signatureMatches(parsed, `${SECRET}x`)).toBe(false);
  });

  it('finds the signature invalid once the payload is changed', async () => {
    const [h, , s] = (await joseToken({ sub: 1, exp: inAnHour() })).split('.');
    const tampered = `${h}.${b64json({ sub: 2, exp: inAnHour() })}.${s}`;
    expect(signatureMatches(parseToken(tampered), SECRET)).toBe(false);
  });

  it('computes the same HMAC as jose signs', async () => {
    const token = await joseToken({ sub: 'x', exp: inAnHour() });
    const [h, p, s] = token.split('.');
    expect(hmacSha256(SECRET, `${h}.${p}`).toString('base64url')).toBe(s);
  });
});

describe('checkAlgorithm', () => {
  it.each([
    'none',
    'None',
    'NONE',
    'nOnE',
    'hs256',
    'Hs256',
    'HS256 ',
    'HS384',
    'HS512',
    'RS256',
    'ES256',
    'PS256',
    'EdDSA',
  ])('refuses alg %j', (alg) => {
    expect(codeOf(() => checkAlgorithm({ alg, typ: 'JWT' }))).toBe('token_algorithm_not_allowed');
  });

  it.each([[undefined], [null], [256], [['HS256']], [{ alg: 'HS256' }]])(
    'refuses a missing or non-string alg (%j)',
    (alg) => {
      expect(codeOf(() => checkAlgorithm({ alg }))).toBe('token_algorithm_not_allowed');
    },
  );

  it.each([[{ toString: 1 }], [{ toString: 'HS256' }], [{ toString: null, valueOf: null }]])(
    'refuses an object alg that cannot be turned into text (%j)',
    (alg) => {
      expect(codeOf(() => checkAlgorithm({ alg }))).toBe('token_algorithm_not_allowed');
    },
  );

  it('accepts HS256 with typ JWT in any case, or no typ', () => {
    expect(codeOf(() => checkAlgorithm({ alg: 'HS256', typ: 'JWT' }))).toBeUndefined();
    expect(codeOf(() => checkAlgorithm({ alg: 'HS256', typ: 'jwt' }))).toBeUndefined();
    expect(codeOf(() => checkAlgorithm({ alg: 'HS256' }))).toBeUndefined();
  });

  it('refuses critical header parameters and a typ other than JWT as malformed', () => {
    expect(codeOf(() => checkAlgorithm({ alg: 'HS256', crit: ['b64'] }))).toBe('token_malformed');
    expect(codeOf(() => checkAlgorithm({ alg: 'HS256', typ: 'JWE' }))).toBe('token_malformed');
    expect(codeOf(() => checkAlgorithm({ alg: 'HS256', typ: 7 }))).toBe('token_malformed');
  });
});

describe('checkTokenLength', () => {
  it('lets through a token of up to 4,096 characters', () => {
    expect(MAX_TOKEN_LENGTH).toBe(4_096);
    expect(codeOf(() => checkTokenLength('a'.repeat(4_096)))).toBeUndefined();
  });

  it('refuses a longer one with validation_failed naming the token', () => {
    let caught: unknown;
    try {
      checkTokenLength('a'.repeat(4_097));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ApiError);
    expect((caught as ApiError).code).toBe('validation_failed');
    expect((caught as ApiError).status).toBe(400);
    expect((caught as ApiError).param).toBe('token');
    expect((caught as ApiError).message).toMatch(/4096/);
  });
});

describe('parseToken', () => {
  const good = `${b64json({ alg: 'HS256' })}.${b64json({ sub: 1 })}.${b64('sig')}`;

  it.each([
    ['empty', ''],
    ['two parts', good.split('.').slice(0, 2).join('.')],
    ['four parts', `${good}.abc`],
    ['an empty part', `${b64json({ alg: 'HS256' })}..${b64('sig')}`],
    ['padding', `${good}=`],
    ['standard base64 characters', `${good.slice(0, -1)}+`],
    ['a header that is not JSON', `${b64('not json')}.${b64json({ sub: 1 })}.${b64('sig')}`],
    ['a payload that is not JSON', `${b64json({ alg: 'HS256' })}.${b64('{"sub":')}.${b64('sig')}`],
    ['a JSON array payload', `${b64json({ alg: 'HS256' })}.${b64json([1, 2])}.${b64('sig')}`],
    ['a JSON null payload', `${b64json({ alg: 'HS256' })}.${b64json(null)}.${b64('sig')}`],
    ['a JSON string header', `${b64json('HS256')}.${b64json({ sub: 1 })}.${b64('sig')}`],
    ['4,000 characters of one letter', 'a'.repeat(4_000)],
    ['a re-spelled signature (spare bits set)', respell(signToken({ sub: 1 }, SECRET))],
  ])('refuses %s as token_malformed', (_name, token) => {
    expect(codeOf(() => parseToken(token))).toBe('token_malformed');
  });

  it('parses a well-formed token of exactly 4,096 characters', () => {
    const token = signToken({ sub: 1, pad: 'p'.repeat(3_000) }, SECRET);
    const exact = signToken({ sub: 1, pad: 'p'.repeat(3_000 + (4_096 - token.length) * 0.75) }, SECRET);
    expect(exact).toHaveLength(4_096);
    expect(parseToken(exact).claims.sub).toBe(1);
  });

  it.each([
    ['4,097 characters of one letter', 'a'.repeat(4_097)],
    ['a well-formed token of 5,000 characters', signToken({ sub: 'x'.repeat(3_700) }, SECRET)],
    ['a well-formed token past 8,192 characters', signToken({ sub: 'x'.repeat(8_200) }, SECRET)],
  ])('refuses %s as validation_failed before parsing it', (_name, token) => {
    expect(token.length).toBeGreaterThan(4_096);
    expect(codeOf(() => parseToken(token))).toBe('validation_failed');
  });

  it('never throws anything but its own codes on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), failsOnlyWithTokenCodes), { numRuns: 2_000 });
  });

  it('never throws anything but its own codes on arbitrary full-Unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), failsOnlyWithTokenCodes), {
      numRuns: 2_000,
    });
  });

  it('never throws anything but its own codes on base64url-ish strings with dots', () => {
    fc.assert(fc.property(base64urlish, failsOnlyWithTokenCodes), { numRuns: 2_000 });
  });

  it('never throws anything but its own codes on three base64url parts of random JSON', () => {
    fc.assert(fc.property(threeParts, failsOnlyWithTokenCodes), { numRuns: 3_000 });
  });

  it('never throws anything but its own codes on three base64url parts of random text', () => {
    fc.assert(fc.property(rawThreeParts, failsOnlyWithTokenCodes), { numRuns: 2_000 });
  });
});
