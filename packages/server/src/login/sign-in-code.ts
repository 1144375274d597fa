import { constantTimeEqual } from '../crypto/tokens.js';
import type { LoginContext } from './login-flow-store.js';

/**
 * Codes people read in a message and type on another screen: no 0/O, 1/I/L or U/V pairs to mix up, and upper case
 * only. 29 symbols × 8 characters is about 39 bits; with five tries per code, guessing is hopeless.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ';
export const CODE_LENGTH = 8;
export const MAX_CODE_ATTEMPTS = 5;

/** A new code, drawn without modulo bias (values ≥ the largest multiple of the alphabet size are redrawn). */
export function newSignInCode(ctx: Pick<LoginContext, 'random'>): string {
  const limit = 256 - (256 % CODE_ALPHABET.length);
  let code = '';
  while (code.length < CODE_LENGTH) {
    for (const byte of ctx.random(CODE_LENGTH * 2)) {
      if (byte < limit && code.length < CODE_LENGTH) code += CODE_ALPHABET[byte % CODE_ALPHABET.length];
    }
  }
  return code;
}

/** How the message shows it: two groups of four are easier to read and to keep in mind. */
export function displayCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What people type, as the code it means: case, spaces and dashes do not matter. */
export function normalizeCode(typed: string): string {
  return typed.replace(/[\s\-‐-―]/g, '').toUpperCase();
}

/** Codes are stored as a keyed hash bound to their flow, so neither a database copy nor another flow can use one. */
export function codeHash(ctx: Pick<LoginContext, 'secretBox'>, flowId: string, code: string): string {
  return ctx.secretBox.mac('sign-in-code', `${flowId}:${code}`);
}

export function codeMatches(
  ctx: Pick<LoginContext, 'secretBox'>,
  flowId: string,
  typed: string,
  storedHash: string,
): boolean {
  const code = normalizeCode(typed);
  // Still hash a malformed code, so a wrong shape takes as long to refuse as a wrong value.
  const wellFormed = code.length === CODE_LENGTH && [...code].every((c) => CODE_ALPHABET.includes(c));
  return constantTimeEqual(codeHash(ctx, flowId, code), storedHash) && wellFormed;
}
