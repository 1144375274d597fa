/** The store operations behind `Idempotency-Key` (http/idempotency-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { IdempotencyRow } from '../storage/rows.js';

/** What `beginIdempotentRequest` found: go ahead, replay the stored answer, or refuse. */
export type IdempotencyBegin =
  | { outcome: 'started' }
  | { outcome: 'replay'; row: IdempotencyRow }
  | { outcome: 'mismatch' }
  | { outcome: 'in_progress' };

export interface IdempotencyStore {
  /**
   * Claims `(api_key_id, key_hash)` for this request with a `pending` row. Exactly one of several concurrent callers
   * gets `started`; the others get `in_progress` (same request) or `mismatch` (another request under the same key).
   * A finished row answers `replay` for the same request. An expired row, or a `pending` one created before
   * `staleBefore` (its request died), is taken over.
   */
  beginIdempotentRequest(row: IdempotencyRow, staleBefore: number): Promise<IdempotencyBegin>;
  /** Stores the answer of a started request; from now on the key replays it. */
  completeIdempotentRequest(
    apiKeyId: string,
    keyHash: string,
    response: { status: number; type: string; body: string },
  ): Promise<void>;
  /** Forgets a started request that failed, so a retry with the same key runs again. Finished rows are kept. */
  releaseIdempotentRequest(apiKeyId: string, keyHash: string): Promise<void>;
  /** Deletes rows past `expires_at`; answers how many. */
  purgeIdempotencyKeys(now: number): Promise<number>;
}

/** What `Idempotency-Key` handling receives. */
export type IdempotencyContext = ServiceContext<IdempotencyStore>;
