import type { RateLimitStore } from './rate-limit-store.js';
import { counterKey, decide, type RateLimitDecision, type RateLimitRule, windowOf } from './rate-limiter.js';

interface Counter {
  keyHash: string;
  start: number;
  end: number;
  /** The shared count as of the last flush, this process's flushed hits included. */
  known: number;
  /** Hits of this process not yet added to the shared count. */
  pending: number;
  /** Whether this process has refused a hit in this window (it writes `rate_limit.hit` once). */
  refused: boolean;
}

/**
 * Hits counted in this process's memory and added to the shared `rate_limits` row in batches, every `flushMs`:
 * for the API-key limit, which every API request counts and which must not cost a durable write (a WAL flush on
 * PostgreSQL) per request. A hit is judged against the shared count as of the last flush plus this process's hits
 * since. One process alone is exact; N processes together can let through up to what the others accepted since
 * their last flush, at most N × limit in one window (docs/decisions.md, Rate limits). The public per-address and
 * per-identifier limits do not use this: they stay exact.
 */
export class BatchedCounter {
  readonly #store: RateLimitStore;
  readonly #flushMs: number;
  readonly #counters = new Map<string, Counter>();
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  /** The latest time a hit was judged at: windows ending before it are dropped once flushed. */
  #latest = 0;

  constructor(store: RateLimitStore, flushMs = 1000) {
    this.#store = store;
    this.#flushMs = flushMs;
  }

  hit(key: string, rule: RateLimitRule, now: number): RateLimitDecision {
    const { start, end } = windowOf(rule, now);
    const keyHash = counterKey(key, rule);
    const id = `${keyHash}:${start}`;
    let counter = this.#counters.get(id);
    if (!counter) {
      counter = { keyHash, start, end, known: 0, pending: 0, refused: false };
      this.#counters.set(id, counter);
    }
    this.#latest = Math.max(this.#latest, now);
    counter.pending++;
    const decision = decide(counter.known + counter.pending, rule, now);
    // One refusal per process and window writes the event: the shared count may have passed limit + 1 elsewhere.
    const firstRefusal = !decision.allowed && !counter.refused;
    if (!decision.allowed) counter.refused = true;
    this.#schedule();
    return { ...decision, firstRefusal };
  }

  /** Adds every pending hit to the shared counts now (the timer does it every `flushMs`; close does it last). */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushAll().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush().finally(() => {
        if ([...this.#counters.values()].some((c) => c.pending > 0)) this.#schedule();
      });
    }, this.#flushMs);
    this.#timer.unref();
  }

  async #flushAll(): Promise<void> {
    for (const [id, counter] of this.#counters) {
      const delta = counter.pending;
      if (delta > 0) {
        counter.pending -= delta;
        try {
          counter.known = await this.#store.incrementRateLimit(
            counter.keyHash,
            counter.start,
            counter.end,
            delta,
          );
        } catch {
          // The database is down: keep the hits for the next flush (the API-key limit fails open meanwhile).
          counter.pending += delta;
          continue;
        }
      }
      if (counter.pending === 0 && counter.end <= this.#latest) this.#counters.delete(id);
    }
  }
}
