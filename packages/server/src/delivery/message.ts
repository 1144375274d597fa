/**
 * What the outbox worker hands to a transport, and what a transport answers. Transports never see the outbox or the
 * database: they send one message and say whether it worked, and if not, whether trying again could help.
 */

import type { DevOutbox } from './dev-outbox.js';

export interface OutgoingEmail {
  /** Our id for the message (`msg_…`), stable across retries; also sent as a header for tracing. */
  id: string;
  appId: string;
  to: string;
  from: { name: string | null; address: string };
  subject: string;
  text: string;
  html: string;
}

export interface OutgoingSms {
  id: string;
  appId: string;
  linkId: string | null;
  /** E.164. */
  to: string;
  body: string;
}

export type DeliveryResult =
  | {
      ok: true;
      providerId?: string | undefined;
      /**
       * The receiving server confirmed it took the message (an SMTP 250 for the recipient): the link becomes
       * `delivered`. False or absent where nothing confirms it (the development transport; an SMS provider that
       * only queued the message), and the link stays `sent`.
       */
      accepted?: boolean | undefined;
      /**
       * What the provider answered, on one line and scrubbed (an SMTP server's reply to the message), for the
       * attempt log; absent where there is nothing more to say than that it was taken.
       */
      answer?: string | undefined;
    }
  /** `permanent`: retrying cannot help (address refused, bad credentials); else it is retried with backoff. */
  | { ok: false; permanent: boolean; error: string };

export type VerifyResult = { ok: true; detail: string } | { ok: false; problem: string };

export interface EmailTransport {
  /** `smtp` or `log`, for logs and `latchkey doctor`. */
  readonly name: string;
  send(message: OutgoingEmail): Promise<DeliveryResult>;
  /** Checks the connection without sending anything, in words a person can act on. */
  verify(): Promise<VerifyResult>;
  close(): Promise<void>;
}

export interface SmsTransport {
  /** `twilio`, `hook` or `log`. */
  readonly name: string;
  send(message: OutgoingSms): Promise<DeliveryResult>;
  verify(): Promise<VerifyResult>;
}

/** The fetch a transport uses, injected so tests and benchmarks can see or replace the network. */
export type Fetch = typeof fetch;

/** The transports this process sends with, and the hook that tells its outbox worker a message was queued. */
export interface Delivery {
  email: EmailTransport;
  sms: SmsTransport;
  /** What the development (`log`) transports sent, for GET /v1/dev/outbox. */
  devOutbox: DevOutbox;
  /** Tells this process's outbox worker that a message was queued (a no-op when no worker runs). */
  wake(): void;
}
