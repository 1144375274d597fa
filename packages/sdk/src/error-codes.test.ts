import { describe, expect, expectTypeOf, it } from 'vitest';
import { type ErrorCode, errorCodes } from '../../server/src/errors/error-codes.js';
import { type LatchkeyErrorCode, latchkeyErrorCodes } from './error-codes.js';

describe('error codes', () => {
  it('lists exactly the codes of the server registry', () => {
    expect([...latchkeyErrorCodes].sort()).toEqual(Object.keys(errorCodes).sort());
    expect(new Set(latchkeyErrorCodes).size).toBe(latchkeyErrorCodes.length);
  });

  it('types the union as the server ErrorCode type', () => {
    expectTypeOf<LatchkeyErrorCode>().toEqualTypeOf<ErrorCode>();
  });
});
