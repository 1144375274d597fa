/**
 * The email and SMS channels: messages that carry a link (and a sign-in code) to a person. Each is rendered from the
 * app's templates when it is sent, handed to the transport, and recorded: `magic_link.sent` when the transport took
 * it, a retry with backoff when it failed for a reason that may pass, `magic_link.delivery_failed` when it failed
 * for good or ran out of attempts.
 */
import { type AppSettings, readSettings } from '../apps/app-settings.js';
import { newId } from '../crypto/tokens.js';
import { makeEvent } from '../events/event-factory.js';
import type { AppRow, OutboxAttemptRow, OutboxRow } from '../storage/rows.js';
import { noteSendOutcome } from '../tracing/delivery-spans.js';
import { jitterFraction, retryDelay } from './backoff.js';
import type { DeliveryChannel, DispatchRun } from './channel.js';
import type { DeliveryResult } from './message.js';
import { openPayload } from './outbox-payload.js';
import type { DeliveryContext } from './outbox-store.js';
import { senderOf } from './sender.js';
import { type LinkMessageInput, renderLinkEmail, renderLinkSms } from './templates/template-service.js';

/** The longest answer kept, as for `outbox.last_error`. */
const ANSWER_MAX = 1000;

export function linkMessageChannels(ctx: DeliveryContext): DeliveryChannel[] {
  const { email, sms } = ctx.delivery;
  return [
    {
      id: 'email',
      dispatch: (row, run) =>
        deliverLinkMessage(ctx, row, run, async (input, settings) => {
          const rendered = await renderLinkEmail(ctx, input);
          return email.send({
            id: row.id,
            appId: row.app_id,
            to: row.recipient,
            from: senderOf(settings, ctx.config.delivery.smtpFrom),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
          });
        }),
    },
    {
      id: 'phone',
      dispatch: (row, run) =>
        deliverLinkMessage(ctx, row, run, async (input) =>
          sms.send({
            id: row.id,
            appId: row.app_id,
            linkId: row.link_id,
            to: row.recipient,
            body: await renderLinkSms(ctx, input),
          }),
        ),
    },
  ];
}

type Send = (input: LinkMessageInput, settings: AppSettings) => Promise<DeliveryResult>;

async function deliverLinkMessage(
  ctx: DeliveryContext,
  row: OutboxRow,
  run: DispatchRun,
  send: Send,
): Promise<void> {
  const started = ctx.clock();
  let result: DeliveryResult;
  try {
    result = await render(ctx, row, run, send);
  } catch (error) {
    // Our own failure (a broken override, a vanished app): worth retrying, since an operator can fix it.
    result = { ok: false, permanent: false, error: error instanceof Error ? error.message : String(error) };
  }
  const now = ctx.clock();
  const attempt = attemptRow(ctx, row, result, started, now);
  const base = {
    magic_link_id: row.link_id,
    message_id: row.id,
    channel: row.channel,
    attempt: row.attempts,
  };
  if (result.ok) {
    noteSendOutcome('sent');
    try {
      const delivered = result.accepted === true;
      await run.recordSent({
        id: row.id,
        worker: run.worker,
        now,
        delivered,
        attempt,
        events:
          row.link_id === null
            ? []
            : [
                makeEvent(ctx, row.app_id, 'magic_link.sent', row.link_id, base, now),
                ...(delivered
                  ? [makeEvent(ctx, row.app_id, 'magic_link.delivered', row.link_id, base, now)]
                  : []),
              ],
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
  noteSendOutcome(final ? 'failed' : 'retry');
  ctx.logger.warn(
    { messageId: row.id, attempt: row.attempts, final, error: result.error },
    'message not delivered',
  );
  await ctx.store.markOutboxFailed({
    id: row.id,
    worker: run.worker,
    now,
    error: result.error,
    attempt,
    retryAt: final
      ? null
      : now + retryDelay(row.attempts, ctx.config.delivery.retryBaseMs, jitterFraction(ctx.random)),
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

/**
 * The attempt log's entry for one send: what the provider answered (for a failure the same text as `last_error`; for
 * a success the server's reply when the transport has one), and how long the send took.
 */
function attemptRow(
  ctx: DeliveryContext,
  row: OutboxRow,
  result: DeliveryResult,
  started: number,
  now: number,
): OutboxAttemptRow {
  const answer = result.ok
    ? (result.answer ?? (result.providerId ? `accepted, id ${result.providerId}` : 'accepted'))
    : result.error;
  return {
    id: newId('att', now, ctx.random),
    message_id: row.id,
    app_id: row.app_id,
    link_id: row.link_id,
    attempt: row.attempts,
    at: now,
    ok: result.ok ? 1 : 0,
    permanent: !result.ok && result.permanent ? 1 : 0,
    answer: answer.slice(0, ANSWER_MAX),
    duration_ms: Math.max(0, now - started),
  };
}

async function render(
  ctx: DeliveryContext,
  row: OutboxRow,
  run: DispatchRun,
  send: Send,
): Promise<DeliveryResult> {
  const payload = openPayload(ctx, row);
  const found = await run.once(`app:${row.app_id}`, () => appOf(ctx, row.app_id));
  if (!found) return { ok: false, permanent: true, error: 'The app no longer exists.' };
  const { app, settings } = found;
  const input: LinkMessageInput = {
    templates: (appId, type, language) =>
      run.once(`template:${appId}:${type}:${language}`, () => ctx.store.getTemplate(appId, type, language)),
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
  return send(input, settings);
}

async function appOf(
  ctx: DeliveryContext,
  appId: string,
): Promise<{ app: AppRow; settings: AppSettings } | undefined> {
  const app = await ctx.store.getApp(appId);
  return app && { app, settings: readSettings(app.settings) };
}
