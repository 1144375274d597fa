import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { pooledRandomBytes, type RandomBytes } from './tokens.js';

/**
 * AES-256-GCM under the master key, for secrets Latchkey must be able to read back (session signing keys, link
 * signing keys). The stored form is `v1.<iv>.<tag>.<ciphertext>` in base64url so the format can evolve.
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly #macKeys = new Map<string, Buffer>();
  readonly #random: RandomBytes;

  /**
   * `random` gives the IVs. A request with `send: true` seals its message, and a call of the CSPRNG for each 12-byte
   * IV was a tenth of what that request cost; the pool draws 4 KiB at a time and hands out every byte once.
   */
  constructor(masterKey: Buffer, random: RandomBytes = pooledRandomBytes()) {
    if (masterKey.length !== 32) throw new Error('The master key must be exactly 32 bytes.');
    this.#key = masterKey;
    this.#random = random;
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = this.#random(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  /**
   * A keyed hash for short secrets (sign-in codes) that a plain hash would not protect: 8 characters can be searched
   * offline. The key is derived from the master key for one `purpose`, so it is never the encryption key itself.
   */
  mac(purpose: string, data: string): string {
    let key = this.#macKeys.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.#key, Buffer.alloc(0), `latchkey:${purpose}`, 32));
      this.#macKeys.set(purpose, key);
    }
    return createHmac('sha256', key).update(data, 'utf8').digest('base64url');
  }

  open(sealed: string, associatedData: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || iv === undefined || tag === undefined || body === undefined) {
      throw new Error('Unrecognised sealed secret format.');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      // GCM only says "unable to authenticate data"; almost always the key is not the one that sealed it.
      throw new MasterKeyMismatch();
    }
  }
}

/**
 * A sealed secret that this master key cannot open: the database (or this row) was sealed under another key. Said
 * in words a person starting the server can act on, since the usual cause is a LATCHKEY_MASTER_KEY that differs
 * from the one the database was set up with.
 */
export class MasterKeyMismatch extends Error {
  override readonly name = 'MasterKeyMismatch';

  constructor() {
    super(
      'The master key does not match the keys stored in the database: a secret sealed there cannot be opened with ' +
        'this LATCHKEY_MASTER_KEY (or, on embedded SQLite, {data dir}/master.key). Start Latchkey with the master ' +
        'key this database was set up with; every node must use the same one. A lost master key cannot be ' +
        'recovered (docs/configuration.md#the-master-key).',
    );
  }
}
