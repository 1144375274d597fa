import { createHash, hash, randomBytes, timingSafeEqual } from 'node:crypto';

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
  // The one-shot hash is about a microsecond faster than createHash, and this runs for every key and token seen.
  return hash('sha256', secret, 'base64url');
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

/** Base64url's 64 symbols in ASCII order, so that the text order of a time written with them is time order. */
const ORDERED_SYMBOLS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';
/** Characters of time in front of an ordered secret: 36 bits of milliseconds, which wrap every 2.2 years. */
const TIME_CHARS = 6;
const ORDERED_LENGTH = TIME_CHARS + 43;

/**
 * A secret that is looked up by its hash on a hot path (link tokens, exchange codes, refresh tokens): 6 characters
 * of its creation time, then 32 random bytes in base64url (43 characters); 256 bits of it are random.
 *
 * Why the time: the hash of a random secret is random, so every new row landed on a random page of the unique
 * index over the hashes, and each group commit wrote a dozen such pages to the log; committing was the largest part
 * of what SQLite spent on a link. Prefixing the stored hash with the time keeps new entries at the end of the index
 * (a wrap of the 36-bit time only starts a new run). Six characters keep a link short enough for a one-segment
 * SMS. The time is no secret: a link's id and its message's Date header say as much.
 */
export function orderedSecret(nowMs: number, random: RandomBytes): string {
  let time = '';
  let t = nowMs % 2 ** (6 * TIME_CHARS);
  for (let i = 0; i < TIME_CHARS; i++) {
    time = ORDERED_SYMBOLS[t % 64] + time;
    t = Math.floor(t / 64);
  }
  return time + randomSecret(random);
}

/**
 * The shape of a link's secret as it appears in a URL: an ordered secret (6 characters of time, then 43), or the 43
 * random characters alone of a link made before ordered secrets existed. Checked before any lookup, so text of any
 * other shape costs no database read.
 */
export const LINK_TOKEN_SHAPE = /^(?:[A-Za-z0-9_-]{6})?[A-Za-z0-9_-]{43}$/;

/**
 * What is stored and looked up for a secret: for an ordered secret (behind `prefix`, such as `lk_rt_`), its time
 * and the SHA-256 of the whole secret; for a secret made before ordered secrets existed (43 random characters
 * behind the prefix), the plain SHA-256.
 */
export function secretLookupHash(secret: string, prefix = ''): string {
  const digest = hashSecret(secret);
  const ordered = secret.length === prefix.length + ORDERED_LENGTH && secret.startsWith(prefix);
  return ordered ? secret.slice(prefix.length, prefix.length + TIME_CHARS) + digest : digest;
}

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
