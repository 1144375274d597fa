/**
 * The zero-config transports for local development: nothing leaves the machine. Each message is printed as one short
 * block with its link up front, and kept in the in-memory dev outbox (`GET /v1/dev/outbox`) for the dashboard.
 */
import type { DevMessage, DevOutbox } from '../dev-outbox.js';
import type { DeliveryResult, EmailTransport, OutgoingEmail, OutgoingSms, SmsTransport } from '../message.js';
import { firstHttpUrl } from './scrub.js';

export interface LogTransportDeps {
  devOutbox: DevOutbox;
  /** Where the blocks go; each call gets one whole block ending in a newline. Default: standard output. */
  print?: ((line: string) => void) | undefined;
}

const PREFIX = '[latchkey dev]';

export function createLogEmailTransport(deps: LogTransportDeps): EmailTransport {
  const print = deps.print ?? defaultPrint;
  return {
    name: 'log',
    async send(message: OutgoingEmail): Promise<DeliveryResult> {
      const link = firstHttpUrl(message.text);
      const from = message.from.name
        ? `${message.from.name} <${message.from.address}>`
        : message.from.address;
      emit(
        print,
        `${PREFIX} email to ${message.to} — ${message.subject} — ${link ? `link: ${link}` : 'no link'}`,
        `from ${from}, message ${message.id}`,
        message.text,
      );
      keep(deps.devOutbox, {
        id: message.id,
        app_id: message.appId,
        channel: 'email',
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      return { ok: true, answer: DEV_ANSWER };
    },
    async verify() {
      return {
        ok: true,
        detail:
          'The development email transport is in use: emails are printed to the console and kept in the dev outbox; nothing is really sent. Set LATCHKEY_SMTP_URL to send email.',
      };
    },
    async close() {},
  };
}

export function createLogSmsTransport(deps: LogTransportDeps): SmsTransport {
  const print = deps.print ?? defaultPrint;
  return {
    name: 'log',
    async send(message: OutgoingSms): Promise<DeliveryResult> {
      const link = firstHttpUrl(message.body);
      emit(
        print,
        `${PREFIX} sms to ${message.to} — ${link ? `link: ${link}` : 'no link'}`,
        `message ${message.id}`,
        message.body,
      );
      keep(deps.devOutbox, {
        id: message.id,
        app_id: message.appId,
        channel: 'sms',
        to: message.to,
        subject: null,
        text: message.body,
        html: null,
      });
      return { ok: true, answer: DEV_ANSWER };
    },
    async verify() {
      return {
        ok: true,
        detail:
          'The development SMS transport is in use: messages are printed to the console and kept in the dev outbox; nothing is really sent. Set the LATCHKEY_TWILIO_* settings or LATCHKEY_SMS_HOOK_URL to send SMS.',
      };
    },
  };
}

function defaultPrint(line: string): void {
  process.stdout.write(line);
}

/** Prints the headline, a detail line and the text indented below; a failing printer never fails a send. */
function emit(print: (line: string) => void, headline: string, detail: string, text: string): void {
  const body = text
    .split(/\r?\n/)
    .map((line) => `    ${printable(line)}`.trimEnd())
    .join('\n');
  try {
    print(`${printable(headline)}\n  ${printable(detail)}\n${body}\n`);
  } catch {
    // Printing is a convenience; the message is in the dev outbox either way.
  }
}

function keep(outbox: DevOutbox, message: Omit<DevMessage, 'sent_at'>): void {
  try {
    outbox.add({ ...message, sent_at: new Date().toISOString() });
  } catch {
    // The dev outbox is a convenience as well.
  }
}

/** Terminal control sequences (in a subject, a name, a body) must not reach the console as such. */
function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '\uFFFD');
}

/** What the attempt log says of a message the development transport printed instead of sending. */
const DEV_ANSWER = 'printed by the development transport; nothing was sent';
