/**
 * Picks the transports the configuration asks for. Email: SMTP when LATCHKEY_SMTP_URL is set, else the development
 * `log` transport. SMS: Twilio when its settings are there, else the signed HTTP hook, else `log`.
 */
import type { Config } from '../../config/config.js';
import type { DevOutbox } from '../dev-outbox.js';
import type { EmailTransport, Fetch, SmsTransport } from '../message.js';
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
    : createLogEmailTransport(logDeps);
  const sms = twilio
    ? createTwilioTransport(twilio, fetchImpl)
    : smsHook
      ? createSmsHookTransport(smsHook, fetchImpl)
      : createLogSmsTransport(logDeps);
  return { email, sms };
}
