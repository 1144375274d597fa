/**
 * Delivery as this server sees it: which transports it sends email and SMS with, their settings with every secret
 * masked, and the checks `latchkey doctor` runs on them. The CLI and `POST /v1/delivery/test` call the same
 * `checkDelivery`, so the dashboard's "test connection" and the doctor can never disagree.
 */
import type { Static } from 'typebox';
import type { Config, Environment } from '../config/config.js';
import type { DeliveryStatus } from './delivery-present.js';
import type { Delivery } from './message.js';
import { displayUrl } from './transports/http-call.js';

/** What the environment changes, said where an operator checks the set-up (docs/configuration.md). */
export const ENVIRONMENT_WORDS: Record<Environment, string> = {
  production:
    'production (NODE_ENV=production): messages are never printed, and a channel without a transport is off',
  development:
    'development (NODE_ENV is not production): a channel without a transport prints its messages, links included',
};

/** Stands in for a secret that is set: never its length, never a part of it. */
export const MASKED = '********';

export interface DeliveryCheck {
  /** `Email (smtp)`, `SMS (twilio)`: the doctor's line. */
  name: string;
  channel: 'email' | 'sms';
  transport: string;
  ok: boolean;
  /** What was found, or what is wrong and what to do, in words. */
  detail: string;
}

/**
 * Checks both transports without sending anything: SMTP connects and logs in, Twilio reads the account, the SMS
 * hook and the development transports say what they would do. Each answers in words a person can act on.
 */
export async function checkDelivery(delivery: Pick<Delivery, 'email' | 'sms'>): Promise<DeliveryCheck[]> {
  const [email, sms] = await Promise.all([delivery.email.verify(), delivery.sms.verify()]);
  return [
    {
      name: `Email (${delivery.email.name})`,
      channel: 'email',
      transport: delivery.email.name,
      ok: email.ok,
      detail: email.ok ? email.detail : email.problem,
    },
    {
      name: `SMS (${delivery.sms.name})`,
      channel: 'sms',
      transport: delivery.sms.name,
      ok: sms.ok,
      detail: sms.ok ? sms.detail : sms.problem,
    },
  ];
}

/** The server's delivery settings, secrets masked: the password, the auth token and hook secret, the DKIM key. */
export function describeDelivery(
  config: Config,
  delivery: Pick<Delivery, 'email' | 'sms'>,
): Static<typeof DeliveryStatus> {
  return {
    environment: config.environment,
    environment_detail: ENVIRONMENT_WORDS[config.environment],
    email: describeEmail(config, delivery.email.name),
    sms: describeSms(config, delivery.sms.name),
    outbox: {
      worker: config.delivery.worker,
      max_attempts: config.delivery.maxAttempts,
      retry_base_seconds: config.delivery.retryBaseMs / 1000,
      lease_seconds: config.delivery.leaseMs / 1000,
    },
  };
}

function describeEmail(config: Config, transport: string) {
  const smtp = config.smtpUrl === undefined ? null : smtpEndpoint(config.smtpUrl);
  return {
    transport,
    from: config.delivery.smtpFrom,
    smtp,
    dkim: config.delivery.dkim
      ? { domain: config.delivery.dkim.domain, selector: config.delivery.dkim.selector }
      : null,
  };
}

function describeSms(config: Config, transport: string) {
  const { twilio, smsHook } = config.delivery;
  return {
    transport,
    twilio: twilio
      ? {
          account_sid: maskKeepingEnds(twilio.accountSid),
          auth_token: MASKED,
          from: twilio.from,
          base_url: displayUrl(twilio.baseUrl),
        }
      : null,
    hook: smsHook ? { url: displayUrl(smsHook.url), secret: MASKED } : null,
  };
}

/**
 * Where LATCHKEY_SMTP_URL points. The query is left out (nodemailer options can hold credentials too); the user
 * name is shown when it is an address, as many providers' are, and masked otherwise, since some providers use an
 * API token as the user name.
 */
function smtpEndpoint(url: string) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { host: null, port: null, secure: null, user: null, password: null };
  }
  const secure = parsed.protocol === 'smtps:';
  const user = safeDecode(parsed.username);
  return {
    host: parsed.hostname || 'localhost',
    port: Number(parsed.port || (secure ? 465 : 587)),
    secure,
    user: user === '' ? null : user.includes('@') ? user : maskKeepingEnds(user),
    password: parsed.password === '' ? null : MASKED,
  };
}

/** `AC…9f3e`: enough to tell two accounts apart, too little to use. Short values are masked whole. */
function maskKeepingEnds(value: string): string {
  return value.length >= 12 ? `${value.slice(0, 2)}…${value.slice(-4)}` : MASKED;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
