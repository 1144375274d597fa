import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Source of randomness; injected so tests can make ids and secrets predictable when they need to. */
export type RandomBytes = (size: number) => Buffer;

const POOL_SIZE = 4096;

/**
 * The system's CSPRNG, drawn 4 KiB at a time: a request makes several ids and secrets, and one `randomBytes` call
 * each was 3 % of the CPU time of creating a link. Every byte is handed out once, copied into a buffer of its own
 * (the same approach Node takes for `randomUUID`).
 */
export function pooledRandomBytes(): RandomBytes {
  let pool = randomBytes(POOL_SIZE);
  let offset = 0;
  return (size) => {
    if (size > POOL_SIZE) return randomBytes(size);
    if (offset + size > POOL_SIZE) {
      pool = randomBytes(POOL_SIZE);
      offset = 0;
    }
    const bytes = Buffer.from(pool.subarray(offset, offset + size));
    // The handed-out bytes are wiped from the pool, so nothing keeps a copy of a secret.
    pool.fill(0, offset, offset + size);
    offset += size;
    return bytes;
  };
}

/** A URL-safe secret of `bytes` random bytes (32 bytes = 256 bits gives 43 characters). */
export function randomSecret(random: RandomBytes, bytes = 32): string {
  return random(bytes).toString('base64url');
}

/** Secrets are stored only as this digest. SHA-256 suffices: every secret we hash has ≥256 bits of entropy. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url');
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/** PKCE S256: BASE64URL(SHA256(verifier)) as in RFC 7636. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Ids are prefixed, time-ordered and random (a ULID in lower-case Crockford base32): ordering by id is ordering by
 * creation, which gives cursor pagination for free and keeps index inserts append-only.
 */
export function newId(prefix: string, nowMs: number, random: RandomBytes): string {
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = random(10);
  let rand = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rand += CROCKFORD[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return `${prefix}_${time}${rand}`;
}
