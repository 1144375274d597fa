/**
 * SMS through Twilio's Messages API, or any service that speaks it (the base URL is configurable):
 * `POST {baseUrl}/2010-04-01/Accounts/{sid}/Messages.json`, form-encoded, HTTP Basic auth with the SID and token.
 */
import type { DeliveryResult, Fetch, OutgoingSms, SmsTransport, VerifyResult } from '../message.js';
import {
  describeFetchFailure,
  discardBody,
  displayUrl,
  HTTP_TIMEOUT_MS,
  parseJsonObject,
  readBody,
} from './http-call.js';
import { clip, scrub } from './scrub.js';

export interface TwilioTransportOptions {
  accountSid: string;
  authToken: string;
  /** A number in E.164, or a messaging service SID (`MG…`). */
  from: string;
  /** e.g. `https://api.twilio.com`. */
  baseUrl: string;
}

export function createTwilioTransport(options: TwilioTransportOptions, fetchImpl: Fetch): SmsTransport {
  const base = options.baseUrl.replace(/\/+$/, '');
  const accountUrl = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}`;
  const authorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`, 'utf8').toString('base64')}`;
  const where = displayUrl(base);

  async function send(message: OutgoingSms): Promise<DeliveryResult> {
    const form = new URLSearchParams({ To: message.to, Body: message.body });
    if (/^MG/.test(options.from)) form.set('MessagingServiceSid', options.from);
    else form.set('From', options.from);
    let response: Response;
    try {
      response = await fetchImpl(`${accountUrl}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
    } catch (error) {
      return { ok: false, permanent: false, error: `Twilio: ${describeFetchFailure(error, where)}` };
    }
    const status = response.status;
    if (status >= 200 && status < 300) {
      const answer = parseJsonObject(await readBody(response));
      const sid = answer?.sid;
      return { ok: true, providerId: typeof sid === 'string' ? clip(sid, 64) : undefined };
    }
    if (status >= 300 && status < 400) {
      await discardBody(response);
      return {
        ok: false,
        permanent: true,
        error: `Twilio: ${where} answered with a redirect (HTTP ${status}); check LATCHKEY_TWILIO_BASE_URL`,
      };
    }
    const detail = twilioError(await readBody(response), message.body, message.to);
    const permanent = status !== 429 && status < 500;
    const what = status === 401 ? 'refused the account SID or auth token' : 'refused the message';
    return {
      ok: false,
      permanent,
      error: clip(`Twilio ${permanent ? what : 'is unavailable'} (HTTP ${status}${detail})`),
    };
  }

  async function verify(): Promise<VerifyResult> {
    let response: Response;
    try {
      response = await fetchImpl(`${accountUrl}.json`, {
        headers: { authorization, accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
    } catch (error) {
      return {
        ok: false,
        problem: `Could not check the Twilio account: ${describeFetchFailure(error, where)}. Is LATCHKEY_TWILIO_BASE_URL right, and can this machine reach it?`,
      };
    }
    const status = response.status;
    if (status >= 300 && status < 400) {
      await discardBody(response);
      return {
        ok: false,
        problem: `${where} answered with a redirect (HTTP ${status}). Point LATCHKEY_TWILIO_BASE_URL at the API itself, e.g. https://api.twilio.com.`,
      };
    }
    const body = await readBody(response);
    if (status === 200) {
      const account = parseJsonObject(body);
      const state = typeof account?.status === 'string' ? account.status : undefined;
      if (state !== undefined && state !== 'active') {
        return {
          ok: false,
          problem: `Twilio accepted the account SID and auth token, but the account is ${clip(state, 40)}; it cannot send SMS until it is active again.`,
        };
      }
      return {
        ok: true,
        detail: `Twilio at ${where} accepted the account SID and auth token; SMS will be sent from ${options.from}.`,
      };
    }
    if (status === 401 || status === 403) {
      return {
        ok: false,
        problem:
          'Twilio refused the account SID or auth token. Check LATCHKEY_TWILIO_ACCOUNT_SID and LATCHKEY_TWILIO_AUTH_TOKEN (the token is on the Twilio console, beside the account SID).',
      };
    }
    if (status === 404) {
      return {
        ok: false,
        problem: `${where} knows no account with the SID in LATCHKEY_TWILIO_ACCOUNT_SID (HTTP 404). Check the SID and LATCHKEY_TWILIO_BASE_URL.`,
      };
    }
    return {
      ok: false,
      problem: `Twilio answered HTTP ${status} when asked about the account${twilioError(body, '', '')}. ${
        status >= 500 || status === 429
          ? 'It may be a passing outage; try again later.'
          : 'Check the Twilio settings.'
      }`,
    };
  }

  return { name: 'twilio', send, verify };
}

/** `, code 21211: The 'To' number … is not a valid phone number.` from Twilio's JSON error body, scrubbed. */
function twilioError(body: string, sent: string, to: string): string {
  const answer = parseJsonObject(body);
  if (!answer) return '';
  const code =
    typeof answer.code === 'number' || typeof answer.code === 'string' ? String(answer.code) : undefined;
  const text = typeof answer.message === 'string' ? scrub(answer.message, [sent], [to]) : undefined;
  if (code === undefined && text === undefined) return '';
  return `${code !== undefined ? `, code ${clip(code, 20)}` : ''}: ${text ?? 'no message'}`;
}
