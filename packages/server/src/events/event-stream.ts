/**
 * The live tail of an app's events (`GET /v1/events/stream`). Each connection polls the events table for ids after
 * the last one it sent, about once a second. Polling, rather than a notification inside this process, because an
 * event may be written by any process on any node; the database is what they share, and a poll of an indexed range
 * costs little when nothing is new.
 *
 * Why a settle time: ids are time-ordered, but an event's id is made when its change begins and becomes visible
 * when its transaction commits, a moment later, possibly on another node; events with nearby ids can become visible
 * out of order. A tail that sent an id and then moved past it could miss an event with a smaller id that committed
 * just after. So the tail only reads up to `SETTLE_MS` before now: by then the transactions that made those ids have
 * committed (they take milliseconds; one that takes longer than the settle time may be missed by a live tail, never
 * by GET /v1/events or by webhooks). The price is that an event arrives one to two seconds after it is written.
 *
 * Resuming: every message's `id:` is its event id, and `Last-Event-ID` (or `after`) resumes strictly after it, so a
 * reconnecting client gets what it missed and nothing twice.
 */
import { newId } from '../crypto/tokens.js';
import { ApiError, validationError } from '../errors/api-error.js';
import type { EventRow } from '../storage/rows.js';
import type { EventContext } from './event-store.js';

export const POLL_MS = 1000;
export const SETTLE_MS = 1000;
/** Events per query; a backlog (after a reconnect) is read batch after batch without waiting. */
export const BATCH = 200;
/** Open streams per API key or operator, in each server process. */
export const MAX_STREAMS_PER_CALLER = 5;

const EVENT_ID = /^evt_[0-9a-z]{26}$/;

/** The smallest and the largest event id of a millisecond: the bounds of "events written from / until then". */
const firstIdAt = (ms: number) => newId('evt', Math.max(0, ms), (n) => Buffer.alloc(n, 0));
const lastIdAt = (ms: number) => newId('evt', Math.max(0, ms), (n) => Buffer.alloc(n, 0xff));

export interface StreamStart {
  /** The header a reconnecting client sends; it wins over the query, since a browser repeats the first URL. */
  lastEventId?: string | undefined;
  /** Resume after this event id. */
  after?: string | undefined;
  /** ISO 8601: events written at or after it. */
  since?: string | undefined;
}

/**
 * Where a stream begins: the cursor it reads after. Without any of the three, the events written from now on; the
 * stream sends this cursor first, as an `id:` without data, so a client that reconnects before any event arrived
 * still resumes from the moment it first connected.
 */
export function streamCursor(ctx: Pick<EventContext, 'clock'>, start: StreamStart): string {
  if (start.lastEventId !== undefined) {
    if (!EVENT_ID.test(start.lastEventId)) {
      throw validationError(
        'Last-Event-ID',
        'Last-Event-ID must be the id of the last message received (evt_…), as the stream sent it.',
      );
    }
    return start.lastEventId;
  }
  if (start.after !== undefined && start.since !== undefined) {
    throw validationError('after', 'Give after or since, not both.');
  }
  if (start.after !== undefined) return start.after;
  if (start.since !== undefined) {
    const since = Date.parse(start.since);
    if (Number.isNaN(since)) throw validationError('since', 'since must be an ISO 8601 date-time.');
    // "At or after": the cursor is just below the first id of that millisecond.
    return firstIdAt(since);
  }
  return firstIdAt(ctx.clock());
}

/** Counts the open streams of each caller, so one key cannot hold open connections without end. */
export class StreamAdmission {
  readonly #open = new Map<string, number>();

  /** Admits one more stream for `caller` and answers the function that lets it go; throws `rate_limited` when full. */
  admit(caller: string): () => void {
    const open = this.#open.get(caller) ?? 0;
    if (open >= MAX_STREAMS_PER_CALLER) {
      throw new ApiError(
        'rate_limited',
        `This key already has ${MAX_STREAMS_PER_CALLER} event streams open, the most one key may hold. Close one (or reuse it: one stream carries every event of the app) and try again.`,
        { headers: { 'retry-after': '5' } },
      );
    }
    this.#open.set(caller, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#open.get(caller) ?? 1) - 1;
      if (left > 0) this.#open.set(caller, left);
      else this.#open.delete(caller);
    };
  }
}

export interface TailOptions {
  appId: string;
  type?: string | undefined;
  cursor: string;
  signal: AbortSignal;
  /** Sends one event; the tail waits for it before the next (backpressure from the client). */
  emit(row: EventRow): Promise<void>;
}

/** Sends the app's events after `cursor`, in id order, until the signal aborts. */
export async function tailEvents(ctx: EventContext, options: TailOptions): Promise<void> {
  const { appId, type, signal } = options;
  let cursor = options.cursor;
  let failing = false;
  while (!signal.aborted) {
    const upTo = lastIdAt(ctx.clock() - SETTLE_MS);
    let rows: EventRow[] = [];
    if (cursor < upTo) {
      try {
        rows = await ctx.store.listEventsAfter(appId, { after: cursor, upTo, type }, BATCH);
        if (failing) ctx.logger.info({ appId }, 'an event stream reads events again');
        failing = false;
      } catch (error) {
        // The stream stays open and tries again: a browser that reconnected now would only meet the same outage,
        // and EventSource gives up for good on an error answer.
        if (!failing) ctx.logger.warn({ err: error, appId }, 'an event stream cannot read events; retrying');
        failing = true;
      }
    }
    for (const row of rows) {
      if (signal.aborted) return;
      await options.emit(row);
      cursor = row.id;
    }
    if (rows.length < BATCH) await pause(POLL_MS, signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
