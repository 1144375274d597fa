import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { createValidatorCompiler } from './validation.js';

const compile = createValidatorCompiler();
// Fastify's compiler signature, with only what ours reads.
const check = (schema: ReturnType<typeof Type.Object>, httpPart: string) =>
  compile({ schema, httpPart, method: 'GET', url: '/' }) as (value: unknown) => {
    value?: unknown;
    error?: unknown;
  };

describe('validation of text (path parameters and query strings)', () => {
  const textOnly = Type.Object({ token: Type.String({ pattern: '^[a-z]+$' }) });

  it('takes a schema of strings as it came, and still holds it to the schema', () => {
    const params = { token: 'abc' };
    expect(check(textOnly, 'params')(params)).toEqual({ value: params });
    expect(check(textOnly, 'params')({ token: 'ABC' })).toHaveProperty('error');
    expect(check(textOnly, 'params')({})).toHaveProperty('error');
  });

  it('refuses a repeated query parameter where one string is wanted', () => {
    expect(check(textOnly, 'querystring')({ token: ['abc', 'def'] })).toHaveProperty('error');
  });

  it('still converts text to the numbers and booleans a schema asks for', () => {
    const mixed = Type.Object({ limit: Type.Integer(), full: Type.Boolean(), q: Type.String() });
    expect(check(mixed, 'querystring')({ limit: '20', full: 'true', q: 'x' })).toEqual({
      value: { limit: 20, full: true, q: 'x' },
    });
    expect(check(mixed, 'querystring')({ limit: '1.5', full: 'true', q: 'x' })).toHaveProperty('error');
  });
});
