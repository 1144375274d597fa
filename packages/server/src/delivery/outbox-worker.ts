import { randomUUID } from 'node:crypto';
import { type AppSettings, readSettings } from '../apps/app-settings.js';
import type { Context } from '../context.js';
import { makeEvent } from '../events/event-factory.js';
import type { AppRow, OutboxRow, TemplateRow } from '../storage/rows.js';
import { sendWebhookMessage } from '../webhooks/webhook-sender.js';
import { retryDelay } from './backoff.js';
import type { DeliveryResult, EmailTransport, SmsTransport } from './message.js';
import { openPayload } from './outbox-payload.js';
import type { OutboxOutcome } from './outbox-store.js';
import {
  type LinkMessageInput,
  renderLinkEmail,
  renderLinkSms,
  type TemplateLookup,
} from './templates/template-service.js';

/** How long a newly queued message waits for others to join its claim. */
const GATHER_MS = 10;

export interface OutboxWorkerOptions {
  /** How often an idle worker looks for due messages; a new message, or a free slot, wakes it at once. */
  pollMs?: number;
  /** Messages in flight at once. A slow send holds one slot, never the whole worker. */
  concurrency?: number;
}

/**
 * Sends what the outbox holds. Every server process runs one; they share the work through leased claims, so a
 * message is sent by one worker at a time, and a worker that dies mid-send leaves its messages to be claimed again
 * when the lease runs out (at-least-once: a message may arrive twice, never zero times).
 */
export class OutboxWorker {
  readonly id = `wkr_${randomUUID()}`;
  readonly #ctx: Context;
  readonly #email: EmailTransport;
  readonly #sms: SmsTransport;
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

  constructor(
    ctx: Context,
    transports: { email: EmailTransport; sms: SmsTransport },
    options: OutboxWorkerOptions = {},
  ) {
    this.#ctx = ctx;
    this.#email = transports.email;
    this.#sms = transports.sms;
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
      const reader = claimReader(this.#ctx);
      for (const row of rows) {
        const delivery: Promise<void> = this.#deliver(row, reader).finally(() => {
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
    const reader = claimReader(this.#ctx);
    await Promise.all(rows.map((row) => this.#deliver(row, reader)));
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

  async #deliver(row: OutboxRow, reader: ClaimReader): Promise<void> {
    const ctx = this.#ctx;
    if (row.channel === 'webhook') {
      try {
        await sendWebhookMessage(ctx, row, this.id);
      } catch (error) {
        // The lease runs out and another attempt follows: nothing is lost.
        ctx.logger.warn(
          { err: error, messageId: row.id },
          'webhook delivery could not be recorded; will retry',
        );
      }
      return;
    }
    let result: DeliveryResult;
    try {
      result = await this.#send(row, reader);
    } catch (error) {
      // Our own failure (a broken override, a vanished app): worth retrying, since an operator can fix it.
      result = { ok: false, permanent: false, error: error instanceof Error ? error.message : String(error) };
    }
    const now = ctx.clock();
    const base = {
      magic_link_id: row.link_id,
      message_id: row.id,
      channel: row.channel,
      attempt: row.attempts,
    };
    if (result.ok) {
      try {
        await this.#recordSent({
          id: row.id,
          worker: this.id,
          now,
          events:
            row.link_id === null
              ? []
              : [makeEvent(ctx, row.app_id, 'magic_link.sent', row.link_id, base, now)],
        });
      } catch (error) {
        // The message went out but is not marked: its lease runs out and it is sent again (at-least-once).
        ctx.logger.warn(
          { err: error, messageId: row.id },
          'a sent message could not be recorded; it will be resent',
        );
      }
      return;
    }
    const final = result.permanent || row.attempts >= ctx.config.delivery.maxAttempts;
    const random = ctx.random(4).readUInt32BE(0) / 2 ** 32;
    ctx.logger.warn(
      { messageId: row.id, attempt: row.attempts, final, error: result.error },
      'message not delivered',
    );
    await ctx.store.markOutboxFailed({
      id: row.id,
      worker: this.id,
      now,
      error: result.error,
      retryAt: final ? null : now + retryDelay(row.attempts, ctx.config.delivery.retryBaseMs, random),
      events:
        row.link_id === null
          ? []
          : [
              makeEvent(
                ctx,
                row.app_id,
                'magic_link.delivery_failed',
                row.link_id,
                { ...base, reason: result.error.slice(0, 300), permanent: result.permanent },
                now,
              ),
            ],
    });
  }

  async #send(row: OutboxRow, reader: ClaimReader): Promise<DeliveryResult> {
    const ctx = this.#ctx;
    const payload = openPayload(ctx, row);
    const found = await reader.app(row.app_id);
    if (!found) return { ok: false, permanent: true, error: 'The app no longer exists.' };
    const { app, settings } = found;
    const input: LinkMessageInput = {
      templates: reader.template,
      appId: app.id,
      appName: app.name,
      type: payload.type,
      language: payload.language,
      defaultLanguage: settings.default_language,
      url: payload.url,
      ...(payload.code === undefined ? {} : { code: payload.code }),
      expiresInMinutes: Math.max(1, Math.round((payload.expiresAt - ctx.clock()) / 60_000)),
      identifier: payload.identifier,
      identifierKind: payload.identifierKind,
    };
    if (row.channel === 'phone') {
      return this.#sms.send({
        id: row.id,
        appId: row.app_id,
        linkId: row.link_id,
        to: row.recipient,
        body: await renderLinkSms(ctx, input),
      });
    }
    const rendered = await renderLinkEmail(ctx, input);
    return this.#email.send({
      id: row.id,
      appId: row.app_id,
      to: row.recipient,
      from: senderOf(settings, ctx.config.delivery.smtpFrom),
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
    });
  }
}

/** The app's own sender when set, else the server's LATCHKEY_SMTP_FROM ("Name <address>" or a bare address). */
function senderOf(settings: AppSettings, fallback: string): { name: string | null; address: string } {
  const parsed = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(fallback);
  const base = parsed
    ? { name: parsed[1] || null, address: parsed[2]! }
    : { name: null, address: fallback.trim() };
  return { name: settings.sender.name ?? base.name, address: settings.sender.email ?? base.address };
}

interface ClaimReader {
  app(id: string): Promise<{ app: AppRow; settings: AppSettings } | undefined>;
  template: TemplateLookup;
}

/**
 * Reads each app, its settings and its template overrides once per claim, not once per message: a claim mostly
 * holds messages of a few apps, and a change made meanwhile applies from the next claim.
 */
function claimReader(ctx: Context): ClaimReader {
  const apps = new Map<string, Promise<{ app: AppRow; settings: AppSettings } | undefined>>();
  const templates = new Map<string, Promise<TemplateRow | undefined>>();
  return {
    app(id) {
      let found = apps.get(id);
      if (!found) {
        found = ctx.store.getApp(id).then((app) => app && { app, settings: readSettings(app.settings) });
        apps.set(id, found);
      }
      return found;
    },
    template(appId, type, language) {
      const key = `${appId}:${type}:${language}`;
      let row = templates.get(key);
      if (!row) {
        row = ctx.store.getTemplate(appId, type, language);
        templates.set(key, row);
      }
      return row;
    },
  };
}
