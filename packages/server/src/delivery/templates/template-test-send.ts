/**
 * "Send a test to me": a template (with draft parts not yet saved) rendered as the preview renders it, addressed to
 * one person, and handed to the real transport now, while they wait. Not through the outbox: the answer is what the
 * mail server or SMS provider said, and a failure is an error of this request, not a retry an hour later. Nothing
 * is stored but the rate-limit count.
 *
 * Limited per app (a few a minute), so a key or a dashboard session is no tool for mailing strangers.
 */
import type { Static } from 'typebox';
import { newId } from '../../crypto/tokens.js';
import { ApiError, validationError } from '../../errors/api-error.js';
import { makeEvent } from '../../events/event-factory.js';
import type { EventContext } from '../../events/event-store.js';
import type { Language } from '../../pages/languages.js';
import type { RateLimiter, RateLimitRule } from '../../rate-limit/rate-limiter.js';
import type { Channel, LinkType } from '../../storage/schema.js';
import { storageOutage } from '../../storage/storage-errors.js';
import { normalizeEmail, normalizePhone } from '../../users/normalize.js';
import type { DeliveryResult, EmailTransport, SmsTransport } from '../message.js';
import { senderOf } from '../sender.js';
import { ensureCanSend } from '../transports/create-transports.js';
import type { TemplateParts } from './render.js';
import type { TemplateTestResult } from './template-present.js';
import { renderSample } from './template-service.js';
import type { TemplateContext } from './template-store.js';

/** What a test send needs beyond the templates: the transports, the rate limiter, and the store's event log. */
export type TemplateTestContext = TemplateContext &
  Pick<EventContext, 'store'> & {
    delivery: { email: EmailTransport; sms: SmsTransport };
    rateLimiter: RateLimiter;
  };

/** Enough to try a fix or two; too few to mail anyone in bulk. */
export const TEST_SENDS_PER_APP: RateLimitRule = { limit: 5, windowSeconds: 60 };

export interface TestSendInput extends Partial<TemplateParts> {
  to: string;
  /** Include the sample one-time code. */
  code?: boolean | undefined;
}

/** What a test send answers (template-present.ts). */
export type TestSendAnswer = Static<typeof TemplateTestResult>;

export async function sendTestMessage(
  ctx: TemplateTestContext,
  appId: string,
  type: LinkType,
  language: Language,
  input: TestSendInput,
): Promise<TestSendAnswer> {
  const { channel, to } = recipientOf(input.to);
  // Everything that can be refused is refused before the limit counts the request.
  const { parts, app, settings } = await renderSample(
    ctx,
    appId,
    { ...input, type, language, identifier_kind: channel },
    to,
  );
  ensureCanSend(
    ctx.config,
    channel,
    'The preview (POST /v1/templates/preview) shows the message without sending it.',
    'to',
  );
  await countTestSend(ctx, appId);

  const id = newId('msg', ctx.clock(), ctx.random);
  const transport = channel === 'email' ? ctx.delivery.email : ctx.delivery.sms;
  const result =
    channel === 'email'
      ? await ctx.delivery.email.send({
          id,
          appId: app.id,
          to,
          from: senderOf(settings, ctx.config.delivery.smtpFrom),
          subject: parts.subject,
          text: parts.text,
          html: parts.html,
        })
      : await ctx.delivery.sms.send({ id, appId: app.id, linkId: null, to, body: parts.sms });
  if (!result.ok) throw transportFailure(result);
  return {
    sent: true,
    channel,
    to,
    message_id: id,
    transport: transport.name,
    answer: {
      provider_id: result.providerId ?? null,
      accepted: result.accepted === true,
      detail: detailOf(transport.name, result.accepted === true),
    },
  };
}

/** An email address or an E.164 phone number; the channel follows from which. */
function recipientOf(raw: string): { channel: Channel; to: string } {
  const email = raw.includes('@') ? normalizeEmail(raw) : undefined;
  if (email !== undefined) return { channel: 'email', to: email };
  const phone = raw.includes('@') ? undefined : normalizePhone(raw);
  if (phone !== undefined) return { channel: 'phone', to: phone };
  throw validationError(
    'to',
    'to must be an email address (jane@example.com) or a phone number in international form (+14155550123).',
  );
}

function detailOf(transport: string, accepted: boolean): string {
  if (transport === 'log') {
    return 'Printed to the server console and kept in the development outbox: nothing was really sent (no transport is configured).';
  }
  return accepted
    ? 'The receiving server accepted the message (SMTP 250).'
    : 'The transport took the message; it does not confirm delivery.';
}

function transportFailure(result: Extract<DeliveryResult, { ok: false }>): ApiError {
  return result.permanent
    ? new ApiError('transport_refused', `The test message was refused: ${result.error}`)
    : new ApiError(
        'transport_unavailable',
        `The test message could not be handed over: ${result.error} Try again in a minute.`,
      );
}

/**
 * Counts the send against the app's test allowance. When the counter cannot be reached the send is refused: this
 * sends mail, so it fails closed like the public endpoints do (rate-limit/enforce.ts).
 */
async function countTestSend(ctx: TemplateTestContext, appId: string): Promise<void> {
  const rule = TEST_SENDS_PER_APP;
  let decision: Awaited<ReturnType<RateLimiter['hit']>>;
  try {
    decision = await ctx.rateLimiter.hit(`template_test\u0000${appId}`, rule, ctx.clock());
  } catch (error) {
    if (storageOutage(error)) throw error;
    ctx.logger.error({ err: error }, 'rate limiter unavailable; refusing a test message');
    throw new ApiError(
      'rate_limit_unavailable',
      'Test messages cannot be counted right now, so none is sent. Try again shortly.',
      { headers: { 'retry-after': '5' } },
    );
  }
  if (decision.allowed) return;
  if (decision.firstRefusal) {
    const event = makeEvent(ctx, appId, 'rate_limit.hit', null, {
      scope: 'app',
      bucket: 'template_test',
      limit: rule.limit,
      window_seconds: rule.windowSeconds,
    });
    await ctx.store.insertEvents([event]).catch((error: unknown) => {
      ctx.logger.warn({ err: error }, 'could not record the rate_limit.hit event');
    });
  }
  const seconds = decision.retryAfterSeconds;
  throw new ApiError(
    'rate_limited',
    `This app may send ${rule.limit} test messages a minute, and has. Try again in ${seconds} s.`,
    { headers: { 'retry-after': String(seconds) } },
  );
}
