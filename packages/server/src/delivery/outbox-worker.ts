import { randomUUID } from 'node:crypto';
import type { OutboxRow } from '../storage/rows.js';
import { withSendSpan } from '../tracing/delivery-spans.js';
import type { DeliveryChannel, DispatchRun } from './channel.js';
import type { DeliveryContext, OutboxOutcome } from './outbox-store.js';

/** How long a newly queued message waits for others to join its claim. */
const GATHER_MS = 10;

export interface OutboxWorkerOptions {
  /** How often an idle worker looks for due messages; a new message, or a free slot, wakes it at once. */
  pollMs?: number;
  /** Messages in flight at once. A slow send holds one slot, never the whole worker. */
  concurrency?: number;
}

/** The worker needs the outbox, the delivery settings and a logger; the channels bring what sending needs. */
export type WorkerContext = Pick<DeliveryContext, 'store' | 'config' | 'clock' | 'logger'>;

/**
 * Sends what the outbox holds. Every server process runs one; they share the work through leased claims, so a
 * message is sent by one worker at a time, and a worker that dies mid-send leaves its messages to be claimed again
 * when the lease runs out (at-least-once: a message may arrive twice, never zero times).
 */
export class OutboxWorker {
  readonly id = `wkr_${randomUUID()}`;
  readonly #ctx: WorkerContext;
  readonly #channels: ReadonlyMap<string, DeliveryChannel>;
  readonly #pollMs: number;
  readonly #concurrency: number;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #filling: Promise<void> | undefined;
  #again = false;
  #soon: NodeJS.Timeout | undefined;
  #sent: OutboxOutcome[] = [];
  #sentFlush: Promise<void> | undefined;
  #stopped = true;

  constructor(ctx: WorkerContext, channels: readonly DeliveryChannel[], options: OutboxWorkerOptions = {}) {
    this.#ctx = ctx;
    this.#channels = new Map(channels.map((channel) => [channel.id, channel]));
    this.#pollMs = options.pollMs ?? 1000;
    this.#concurrency = options.concurrency ?? 20;
  }

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  /** Stops claiming and waits for the messages in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#soon) clearTimeout(this.#soon);
    this.#soon = undefined;
    await this.#filling;
    await Promise.all(this.#inFlight);
  }

  /**
   * A request queued a message: look for work shortly. The short wait lets the messages of concurrent requests
   * gather into one claim and one record of their sends, instead of a claim and a commit per message; a few
   * milliseconds mean nothing to an email, and under load they halve the worker's cost per message.
   */
  queued(): void {
    if (this.#stopped || this.#soon) return;
    this.#soon = setTimeout(() => {
      this.#soon = undefined;
      this.wake();
    }, GATHER_MS);
    this.#soon.unref();
  }

  /** Looks for work now (a send finished, or the worker starts), instead of at the next poll. */
  wake(): void {
    if (this.#stopped) return;
    if (this.#filling) {
      this.#again = true;
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#filling = this.#fill().finally(() => {
      this.#filling = undefined;
      if (this.#stopped) return;
      if (this.#again) {
        this.#again = false;
        this.wake();
      } else {
        this.#timer = setTimeout(() => this.wake(), this.#pollMs);
        this.#timer.unref();
      }
    });
  }

  /** Claims as many due messages as there are free slots, and starts sending them without waiting. */
  async #fill(): Promise<void> {
    try {
      const free = this.#concurrency - this.#inFlight.size;
      if (free <= 0) return;
      const rows = await this.#claim(free);
      const run = this.#run();
      for (const row of rows) {
        const delivery: Promise<void> = this.#deliver(row, run).finally(() => {
          this.#inFlight.delete(delivery);
          this.wake();
        });
        this.#inFlight.add(delivery);
      }
      // A full claim means a backlog: claim again at once rather than at the next poll.
      if (rows.length === free) this.#again = true;
    } catch (error) {
      this.#ctx.logger.warn({ err: error }, 'outbox worker: claiming messages failed; will retry');
    }
  }

  /** Claims up to `limit` due messages and sends them, waiting for every one; answers how many it claimed. */
  async runOnce(limit = this.#concurrency): Promise<number> {
    const rows = await this.#claim(limit);
    const run = this.#run();
    await Promise.all(rows.map((row) => this.#deliver(row, run)));
    return rows.length;
  }

  /**
   * Records a sent message together with the others that finish in the same turn of the event loop, in one
   * transaction: the worker sends up to `concurrency` messages at once, and one commit per message was most of its
   * database time. Resolves once this message's record is written.
   */
  #recordSent(outcome: OutboxOutcome): Promise<void> {
    this.#sent.push(outcome);
    this.#sentFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const batch = this.#sent;
      this.#sent = [];
      this.#sentFlush = undefined;
      return this.#ctx.store.markOutboxSentMany(batch);
    });
    return this.#sentFlush;
  }

  #claim(limit: number): Promise<OutboxRow[]> {
    const ctx = this.#ctx;
    const now = ctx.clock();
    return ctx.store.claimOutbox(now, now + ctx.config.delivery.leaseMs, limit, this.id);
  }

  /**
   * Hands a claimed message to its channel. Nothing a channel does may escape: an error here, even from recording
   * the outcome, is logged and the message stays leased, so another attempt follows when the lease runs out. (An
   * escaping rejection would be unhandled, and Node stops the process on one.)
   */
  async #deliver(row: OutboxRow, run: DispatchRun): Promise<void> {
    const ctx = this.#ctx;
    try {
      const channel = this.#channels.get(row.channel);
      if (channel) {
        await withSendSpan(row, () => channel.dispatch(row, run));
        return;
      }
      await ctx.store.markOutboxFailed({
        id: row.id,
        worker: this.id,
        now: ctx.clock(),
        events: [],
        error: `No delivery channel "${row.channel}" is registered in this process.`,
        retryAt: null,
      });
    } catch (error) {
      ctx.logger.error(
        { err: error, messageId: row.id, channel: row.channel },
        'delivering a message failed; it will be tried again when its lease runs out',
      );
    }
  }

  /** What the channels get for one claim: the worker's id, the batched send record, and per-claim reads. */
  #run(): DispatchRun {
    const reads = new Map<string, Promise<unknown>>();
    return {
      worker: this.id,
      recordSent: (outcome) => this.#recordSent(outcome),
      once: <T>(key: string, read: () => Promise<T>) => {
        let found = reads.get(key) as Promise<T> | undefined;
        if (!found) {
          found = read();
          reads.set(key, found);
        }
        return found;
      },
    };
  }
}
