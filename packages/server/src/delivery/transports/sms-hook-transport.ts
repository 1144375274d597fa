/**
 * SMS through the app itself: Latchkey POSTs each message as JSON to the app's hook URL, signed like a webhook
 * (Standard Webhooks headers, `webhook-id` = the message id so a retry carries the same id and the app can drop
 * duplicates), and the app hands it to whatever SMS provider it uses.
 *
 * Body: `{"type":"sms.send","timestamp":"<ISO 8601>","data":{"message_id","app_id","link_id","to","body"}}`.
 */
import type { DeliveryResult, Fetch, OutgoingSms, SmsTransport, VerifyResult } from '../message.js';
import { standardWebhookHeaders, standardWebhookKey } from '../standard-webhooks.js';
import { describeFetchFailure, discardBody, displayUrl, HTTP_TIMEOUT_MS, readBody } from './http-call.js';
import { clip, scrub } from './scrub.js';

export interface SmsHookTransportOptions {
  url: string;
  /** `whsec_<base64>`. */
  secret: string;
}

export function createSmsHookTransport(options: SmsHookTransportOptions, fetchImpl: Fetch): SmsTransport {
  const where = displayUrl(options.url);

  async function send(message: OutgoingSms): Promise<DeliveryResult> {
    const now = new Date();
    const body = JSON.stringify({
      type: 'sms.send',
      timestamp: now.toISOString(),
      data: {
        message_id: message.id,
        app_id: message.appId,
        link_id: message.linkId,
        to: message.to,
        body: message.body,
      },
    });
    let headers: Record<string, string>;
    try {
      headers = standardWebhookHeaders(options.secret, message.id, Math.floor(now.getTime() / 1000), body);
    } catch {
      return {
        ok: false,
        permanent: true,
        error:
          'SMS hook: the message could not be signed; check LATCHKEY_SMS_HOOK_SECRET (whsec_ followed by base64)',
      };
    }
    let response: Response;
    try {
      response = await fetchImpl(options.url, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          accept: 'application/json, text/plain, */*',
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
    } catch (error) {
      return { ok: false, permanent: false, error: `SMS hook: ${describeFetchFailure(error, where)}` };
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      await discardBody(response);
      return { ok: true };
    }
    if ((status >= 300 && status < 400) || response.type === 'opaqueredirect') {
      await discardBody(response);
      const target = redirectTarget(response, options.url);
      return {
        ok: false,
        permanent: true,
        error: clip(
          `SMS hook: the hook redirected (HTTP ${status}${target ? ` to ${target}` : ''}); point LATCHKEY_SMS_HOOK_URL at the final URL`,
        ),
      };
    }
    const excerpt = scrub(
      await readBody(response, 2048),
      [message.body],
      [message.to, message.id, message.appId],
    );
    const permanent = status !== 429 && status < 500;
    return {
      ok: false,
      permanent,
      error: clip(`SMS hook: ${where} answered HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`),
    };
  }

  async function verify(): Promise<VerifyResult> {
    try {
      standardWebhookKey(options.secret);
    } catch {
      return {
        ok: false,
        problem:
          'LATCHKEY_SMS_HOOK_SECRET must be "whsec_" followed by base64; SMS messages could not be signed.',
      };
    }
    return {
      ok: true,
      detail: `SMS messages will be POSTed to ${where}, signed with the secret in LATCHKEY_SMS_HOOK_SECRET (Standard Webhooks headers). Nothing was sent to check it; your app must answer 2xx.`,
    };
  }

  return { name: 'hook', send, verify };
}

/** Where a redirect points, for the error message (without its query), or undefined. */
function redirectTarget(response: Response, base: string): string | undefined {
  const location = response.headers.get('location');
  if (!location) return undefined;
  try {
    return displayUrl(new URL(location, base).href);
  } catch {
    return undefined;
  }
}
