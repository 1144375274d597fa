import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MasterKeyMismatch, SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, under the same associated data only', () => {
    const sealed = box.seal('a live link', 'msg_1');
    expect(box.open(sealed, 'msg_1')).toBe('a live link');
    expect(() => box.open(sealed, 'msg_2')).toThrow(MasterKeyMismatch);
  });

  it('says in words that the master key differs when another key sealed the secret', () => {
    const sealed = new SecretBox(randomBytes(32)).seal('a signing key', 'sk_1');
    expect(() => box.open(sealed, 'sk_1')).toThrow(/master key does not match.*LATCHKEY_MASTER_KEY/);
  });

  it('never uses an IV twice, across refills of its pool of random bytes', () => {
    const ivs = new Set(Array.from({ length: 2000 }, () => box.seal('same text', 'same id').split('.')[1]));
    expect(ivs.size).toBe(2000);
  });
});
