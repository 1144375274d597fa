/**
 * Picks the transports the configuration asks for. Email: SMTP when LATCHKEY_SMTP_URL is set, else the development
 * `log` transport. SMS: Twilio when its settings are there, else the signed HTTP hook, else `log`. A production
 * server (NODE_ENV=production) never prints: a channel with nothing configured is `off` there, and requests that
 * would send on it are refused before anything is stored (`ensureCanSend`).
 */
import type { Config } from '../../config/config.js';
import { ApiError } from '../../errors/api-error.js';
import type { Channel } from '../../storage/schema.js';
import type { DevOutbox } from '../dev-outbox.js';
import type { DeliveryResult, EmailTransport, Fetch, SmsTransport } from '../message.js';
import { createLogEmailTransport, createLogSmsTransport } from './log-transport.js';
import { createSmsHookTransport } from './sms-hook-transport.js';
import { createSmtpTransport } from './smtp-transport.js';
import { createTwilioTransport } from './twilio-transport.js';

export interface TransportDeps {
  /** The network for the HTTP transports; default: the global fetch. */
  fetch?: Fetch | undefined;
  devOutbox: DevOutbox;
  /** Where the development transports print; default: standard output. */
  print?: ((line: string) => void) | undefined;
}

/** Throws (with words naming LATCHKEY_DKIM_PRIVATE_KEY) when a configured DKIM key cannot be used. */
export function createTransports(
  config: Config,
  deps: TransportDeps,
): { email: EmailTransport; sms: SmsTransport } {
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const logDeps = { devOutbox: deps.devOutbox, print: deps.print };
  const { twilio, smsHook, dkim } = config.delivery;
  const email = config.smtpUrl
    ? createSmtpTransport({ url: config.smtpUrl, dkim })
    : canSend(config, 'email')
      ? createLogEmailTransport(logDeps)
      : { ...offTransport('email'), close: async () => {} };
  const sms = twilio
    ? createTwilioTransport(twilio, fetchImpl)
    : smsHook
      ? createSmsHookTransport(smsHook, fetchImpl)
      : canSend(config, 'phone')
        ? createLogSmsTransport(logDeps)
        : offTransport('phone');
  return { email, sms };
}

/** Whether a real transport is configured for the channel. */
function hasTransport(config: Config, channel: Channel): boolean {
  if (channel === 'email') return config.smtpUrl !== undefined;
  return config.delivery.twilio !== undefined || config.delivery.smsHook !== undefined;
}

/**
 * Whether this process may send on a channel: with a real transport always; without one only in development, where
 * the `log` transport prints. Services ask this (through `ensureCanSend`) so a refusal comes before anything is
 * stored; `createTransports` asks it too, so the two never disagree.
 */
export function canSend(config: Config, channel: Channel): boolean {
  return hasTransport(config, channel) || config.environment !== 'production';
}

const WHAT_IS_MISSING: Record<Channel, string> = {
  email: 'Sending email needs LATCHKEY_SMTP_URL',
  phone:
    'Sending SMS needs LATCHKEY_TWILIO_ACCOUNT_SID, LATCHKEY_TWILIO_AUTH_TOKEN and LATCHKEY_TWILIO_FROM, or LATCHKEY_SMS_HOOK_URL and LATCHKEY_SMS_HOOK_SECRET',
};

function notConfigured(channel: Channel): string {
  return `${WHAT_IS_MISSING[channel]}, and this server has none; in production (NODE_ENV=production) it does not print messages instead.`;
}

/**
 * Refuses, with `delivery_not_configured`, a request that would send on a channel this production server cannot
 * send on. `remedy` is the caller's next step, in words for whoever reads the error (an API client, or a person on
 * the sign-in page); `param` the request field that asked to send, when there is one.
 */
export function ensureCanSend(config: Config, channel: Channel, remedy: string, param?: string): void {
  if (canSend(config, channel)) return;
  throw new ApiError(
    'delivery_not_configured',
    `${notConfigured(channel)} ${remedy}`,
    param === undefined ? {} : { param },
  );
}

/**
 * The transport of a channel a production server cannot send on. Requests that would queue a message are refused
 * first, but a message queued earlier (by a run without NODE_ENV=production, or by another node) can still be
 * waiting: it is given up at once with the reason, never printed.
 */
function offTransport(channel: Channel): SmsTransport & Omit<EmailTransport, 'close'> {
  return {
    name: 'off',
    async send(): Promise<DeliveryResult> {
      return { ok: false, permanent: true, error: `Not sent. ${notConfigured(channel)}` };
    },
    async verify() {
      return {
        ok: true,
        detail: `${channel === 'email' ? 'Email' : 'SMS'} is off. ${notConfigured(channel)} Requests with send: true and the hosted sign-in on this channel are refused; links created without send still work.`,
      };
    },
  };
}
