import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import type { AppStore } from '../apps/app-store.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { EventRow } from '../storage/rows.js';
import type { SessionStore } from './session-store.js';

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

const ALG = 'ES256';
/** Retired keys stay in the JWKS this long so tokens signed just before a rotation still verify. */
const RETIRED_KEY_GRACE_MS = 24 * 60 * 60 * 1000;

export interface SessionClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  amr: string[];
  iat: number;
  exp: number;
}

interface LoadedKey {
  kid: string;
  privateKey: SigningKey;
  publicJwk: JWK;
  createdAt: number;
  retiredAt: number | null;
}

/**
 * The instance's session-token signing keys (ES256). Private keys are stored sealed under the master key and held
 * in memory once loaded; the newest active key signs, every key still in its grace period is published in the JWKS.
 */
/** A key as the admin API lists it (never the private part). */
export interface KeyringEntry {
  kid: string;
  createdAt: number;
  retiredAt: number | null;
  published: boolean;
}

export class SessionKeyring {
  readonly #store: SessionStore & Pick<AppStore, 'claimOnce'>;
  readonly #box: SecretBox;
  readonly #clock: () => number;
  #keys: LoadedKey[] = [];
  #loadedAt = Number.NEGATIVE_INFINITY;

  constructor(store: SessionStore & Pick<AppStore, 'claimOnce'>, box: SecretBox, clock: () => number) {
    this.#store = store;
    this.#box = box;
    this.#clock = clock;
  }

  /** Loads the keys, creating the first one when the database has none. */
  async load(): Promise<void> {
    let rows = await this.#store.listSessionKeys();
    if (!rows.some((r) => r.retired_at === null)) {
      // Nodes starting together on a new database: one creates the first key, the others wait for it, so every
      // node signs with a key that every node publishes.
      if (await this.#store.claimOnce('first_session_key', 'keyring', this.#clock())) {
        await this.rotate();
      }
      for (let waited = 0; waited < 10_000 && !rows.some((r) => r.retired_at === null); waited += 100) {
        rows = await this.#store.listSessionKeys();
        if (!rows.some((r) => r.retired_at === null))
          await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (!rows.some((r) => r.retired_at === null))
        throw new Error('No session signing key appeared in the database.');
    }
    const known = new Map(this.#keys.map((k) => [k.kid, k]));
    this.#keys = await Promise.all(
      rows.map(async (row) => ({
        kid: row.kid,
        // A key already loaded is not opened and imported again.
        privateKey:
          known.get(row.kid)?.privateKey ??
          (await importJWK(JSON.parse(this.#box.open(row.private_jwk, row.kid)) as JWK, ALG)),
        publicJwk: JSON.parse(row.public_jwk) as JWK,
        createdAt: row.created_at,
        retiredAt: row.retired_at,
      })),
    );
    this.#loadedAt = this.#clock();
  }

  /**
   * Loads the keys again when the last load is older than `maxAgeMs`, so a rotation made on another node is
   * picked up: the JWKS route refreshes every 30 seconds at most, the maintenance job every ten minutes.
   */
  async refresh(maxAgeMs: number): Promise<void> {
    if (this.#clock() - this.#loadedAt >= maxAgeMs) await this.load();
  }

  /**
   * Rotates now: a new key signs from this moment, and every other key is retired (it stays in the JWKS for 24
   * hours, so tokens it signed keep verifying until they expire). `events` are written with the retirement.
   */
  async rotateNow(events: (kid: string) => EventRow[]): Promise<string> {
    const kid = await this.rotate();
    await this.#store.retireSessionKeys(kid, this.#clock(), events(kid));
    await this.load();
    return kid;
  }

  /** The keys as loaded, newest first: for the admin list. */
  list(): KeyringEntry[] {
    const now = this.#clock();
    return this.#keys.map((k) => ({
      kid: k.kid,
      createdAt: k.createdAt,
      retiredAt: k.retiredAt,
      published: k.retiredAt === null || now - k.retiredAt < RETIRED_KEY_GRACE_MS,
    }));
  }

  /** Adds a new signing key; the previous ones keep verifying until retired. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    await this.#store.insertSessionKey({
      kid,
      alg: ALG,
      private_jwk: this.#box.seal(JSON.stringify(privateJwk), kid),
      public_jwk: JSON.stringify({ ...publicJwk, kid, alg: ALG, use: 'sig' }),
      created_at: this.#clock(),
      retired_at: null,
    });
    return kid;
  }

  async sign(claims: SessionClaims): Promise<string> {
    const key = this.#keys.find((k) => k.retiredAt === null);
    if (!key) throw new Error('No session signing key is loaded; call load() first.');
    return new SignJWT({ sid: claims.sid, amr: claims.amr })
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
      .setIssuer(claims.iss)
      .setAudience(claims.aud)
      .setSubject(claims.sub)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .sign(key.privateKey);
  }

  jwks(): { keys: JWK[] } {
    const now = this.#clock();
    return {
      keys: this.#keys
        .filter((k) => k.retiredAt === null || now - k.retiredAt < RETIRED_KEY_GRACE_MS)
        .map((k) => k.publicJwk),
    };
  }
}
