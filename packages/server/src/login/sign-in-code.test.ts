import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../crypto/secret-box.js';
import {
  CODE_ALPHABET,
  CODE_LENGTH,
  codeHash,
  codeMatches,
  displayCode,
  newSignInCode,
  normalizeCode,
} from './sign-in-code.js';

const ctx = { random: randomBytes, secretBox: new SecretBox(randomBytes(32)) };

describe('sign-in codes', () => {
  it('uses only the unambiguous alphabet, at the full length', () => {
    for (let i = 0; i < 200; i++) {
      const code = newSignInCode(ctx);
      expect(code).toHaveLength(CODE_LENGTH);
      for (const c of code) expect(CODE_ALPHABET).toContain(c);
    }
    for (const confusable of ['0', 'O', '1', 'I', 'L', 'U', 'V'])
      expect(CODE_ALPHABET).not.toContain(confusable);
  });

  it('draws every symbol about equally often (no modulo bias)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++)
      for (const c of newSignInCode(ctx)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const expected = (4000 * CODE_LENGTH) / CODE_ALPHABET.length;
    for (const c of CODE_ALPHABET)
      expect(Math.abs((counts.get(c) ?? 0) - expected) / expected).toBeLessThan(0.15);
  });

  it('matches what people type, in any case, with spaces or dashes', () => {
    const code = 'ABCD2345';
    const hash = codeHash(ctx, 'lf_1', code);
    for (const typed of [
      'ABCD2345',
      'abcd-2345',
      ' abcd 2345 ',
      displayCode(code),
      'AB‑CD‑2345'.replace(/‑/g, '-'),
    ])
      expect(codeMatches(ctx, 'lf_1', typed, hash), typed).toBe(true);
    expect(codeMatches(ctx, 'lf_1', 'ABCD2346', hash)).toBe(false);
    expect(normalizeCode('ab cd–23 45')).toBe('ABCD2345');
  });

  it('binds the hash to its flow and to the master key', () => {
    const hash = codeHash(ctx, 'lf_1', 'ABCD2345');
    expect(codeMatches(ctx, 'lf_2', 'ABCD2345', hash)).toBe(false);
    const other = { secretBox: new SecretBox(randomBytes(32)) };
    expect(codeMatches(other, 'lf_1', 'ABCD2345', hash)).toBe(false);
  });
});
