/**
 * `Idempotency-Key` for requests that create things (`POST /v1/magic-links`, its app-path twin, and bulk): the first
 * request with a key runs and its answer is stored for 24 hours; a retry of the same request gets the stored answer
 * back (with `Idempotent-Replayed: true`) instead of creating again. The same key with another request is a 409, and
 * so is a retry that arrives while the first request still runs. Keys are scoped per API key and stored only as a
 * hash; the answer (which holds a new link's token) is sealed under the master key.
 */
import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors/api-error.js';
import { principalOf } from './auth.js';
import type { IdempotencyContext } from './idempotency-store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long an answer is replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * A first request still `pending` after this long is taken to have died (its process stopped mid-request), and
 * a retry with its key runs again. Long enough for a 100,000-row bulk request.
 */
export const IDEMPOTENCY_STALE_MS = 10 * 60 * 1000;

const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

export interface StoredAnswer {
  status: number;
  /** The Content-Type of the answer. */
  type: string;
  body: string;
}

export type IdempotencyClaim =
  | { kind: 'none' }
  | { kind: 'replay'; answer: StoredAnswer }
  | {
      kind: 'claimed';
      /** Stores the answer for replay. */
      complete(answer: StoredAnswer): Promise<void>;
      /** Forgets the key after a failure, so a retry runs again. */
      release(): Promise<void>;
    };

const sha256 = (text: string) => hash('sha256', text, 'hex');

/**
 * Looks at the request's `Idempotency-Key`: `none` without one, `replay` with a stored answer, `claimed` when this
 * request is the one to run. Throws the 409s and a 400 for a malformed key. `bodyText` is the request body as the
 * route read it; with the method and path it makes the request's fingerprint.
 */
export async function claimIdempotencyKey(
  ctx: IdempotencyContext,
  request: FastifyRequest,
  bodyText: string | (() => string),
): Promise<IdempotencyClaim> {
  const header = request.headers[IDEMPOTENCY_HEADER];
  if (header === undefined) return { kind: 'none' };
  // Runs in an authenticated scope, so a request without a valid key was answered 401 before it got here.
  const principal = principalOf(request);
  if (typeof header !== 'string' || !KEY_SHAPE.test(header)) {
    throw new ApiError(
      'validation_failed',
      'Idempotency-Key must be 1 to 255 visible ASCII characters, such as a UUID; send it once per request.',
      { param: 'Idempotency-Key' },
    );
  }
  const apiKeyId = principal.keyId;
  const keyHash = sha256(header);
  const path = request.url.split('?')[0] ?? request.url;
  const now = ctx.clock();
  const begun = await ctx.store.beginIdempotentRequest(
    {
      api_key_id: apiKeyId,
      key_hash: keyHash,
      // The app an admin key acts on is part of the request: the same body for another app is another request.
      fingerprint: sha256(
        `${request.method}\n${path}\n${appHeader(request)}\n${sha256(typeof bodyText === 'function' ? bodyText() : bodyText)}`,
      ),
      state: 'pending',
      response_status: null,
      response_type: null,
      response_body: null,
      created_at: now,
      expires_at: now + IDEMPOTENCY_TTL_MS,
    },
    now - IDEMPOTENCY_STALE_MS,
  );
  const sealedFor = `idempotency:${apiKeyId}:${keyHash}`;
  switch (begun.outcome) {
    case 'mismatch':
      throw new ApiError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request. Use a new key for each new request.',
        { param: 'Idempotency-Key' },
      );
    case 'in_progress':
      throw new ApiError(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still running. Retry once it has finished to get its answer.',
        { param: 'Idempotency-Key', headers: { 'retry-after': '1' } },
      );
    case 'replay': {
      const row = begun.row;
      return {
        kind: 'replay',
        answer: {
          status: row.response_status ?? 200,
          type: row.response_type ?? 'application/json; charset=utf-8',
          body: ctx.secretBox.open(row.response_body ?? '', sealedFor),
        },
      };
    }
    case 'started':
      return {
        kind: 'claimed',
        complete: (answer) =>
          ctx.store.completeIdempotentRequest(apiKeyId, keyHash, {
            status: answer.status,
            type: answer.type,
            body: ctx.secretBox.seal(answer.body, sealedFor),
          }),
        release: () => ctx.store.releaseIdempotentRequest(apiKeyId, keyHash),
      };
  }
}

function appHeader(request: FastifyRequest): string {
  const header = request.headers['latchkey-app'];
  return typeof header === 'string' ? header : '';
}

export function sendStoredAnswer(reply: FastifyReply, answer: StoredAnswer): FastifyReply {
  return reply
    .code(answer.status)
    .header('idempotent-replayed', 'true')
    .header('cache-control', 'no-store')
    .type(answer.type)
    .send(answer.body);
}

/**
 * Runs a JSON-answering route handler at most once per `Idempotency-Key`. Only a successful answer is stored: a
 * request that fails changes nothing, so its key is released and a retry runs again.
 */
export async function idempotentJson(
  ctx: IdempotencyContext,
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  run: () => Promise<unknown>,
): Promise<FastifyReply> {
  // The body is serialised only when there is a key to compare it under.
  const claim = await claimIdempotencyKey(ctx, request, () => JSON.stringify(request.body ?? null));
  if (claim.kind === 'replay') return sendStoredAnswer(reply, claim.answer);
  let body: string;
  try {
    body = JSON.stringify(await run());
  } catch (error) {
    if (claim.kind === 'claimed') await claim.release();
    throw error;
  }
  const type = 'application/json; charset=utf-8';
  if (claim.kind === 'claimed') await claim.complete({ status, type, body });
  return reply.code(status).type(type).send(body);
}
