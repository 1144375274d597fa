/**
 * A real SMTP server on 127.0.0.1 for tests: it receives what Latchkey sends over a socket, parses every message with
 * postal-mime, and can refuse recipients with a reply code or hold messages in flight (accept DATA, never answer).
 */

import type { AddressInfo } from 'node:net';
import PostalMime, { type Address } from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { createMessageLog } from './message-log.js';

export interface ReceivedMail {
  /** The envelope recipients (RCPT TO). */
  to: string[];
  /** The envelope sender (MAIL FROM). */
  envelopeFrom: string;
  /** The From header: its address and display name. */
  from: { address: string; name: string };
  subject: string;
  text: string;
  html: string;
  /** Lowercase header name → value (the last one when a header repeats). */
  headers: Record<string, string>;
  messageId: string;
  /** The X-Latchkey-Message-Id header: the outbox id of the message. */
  latchkeyId: string;
  raw: string;
}

export interface SmtpSinkOptions {
  /** Listen on this port (e.g. where a sink that was closed listened before); a free one by default. */
  port?: number;
  /** The SMTP reply code to refuse a recipient with, or undefined to accept it. */
  reject?: (rcpt: string) => number | undefined;
  /** Read DATA but never answer it, so every message stays in flight at the sender. */
  hold?: boolean;
}

export interface SmtpSink {
  port: number;
  /** `smtp://127.0.0.1:{port}` */
  url: string;
  /** Messages received in full, in order of arrival. */
  messages: ReceivedMail[];
  /** How many connections were opened, and how many messages got as far as DATA (held or not). */
  stats: { connections: number; dataStarted: number; rcptRefused: number };
  /** Resolves once `count` messages have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

function mailbox(address: Address | undefined): { address: string; name: string } {
  if (!address) return { address: '', name: '' };
  if (address.address !== undefined) return { address: address.address, name: address.name };
  const first = address.group[0];
  return first ? { address: first.address, name: first.name } : { address: '', name: address.name };
}

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const log = createMessageLog<ReceivedMail>(
    (received, wanted, ms) => `the SMTP sink received ${received} of ${wanted} messages within ${ms} ms`,
  );
  const stats = { connections: 0, dataStarted: 0, rcptRefused: 0 };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // A held connection never finishes on its own: closing the sink cuts it after this long.
    closeTimeout: 100,
    onConnect(_session, callback) {
      stats.connections += 1;
      callback();
    },
    onRcptTo(address, _session, callback) {
      const code = options.reject?.(address.address);
      if (code !== undefined) {
        stats.rcptRefused += 1;
        const text = code >= 500 ? 'No such user here' : 'Mailbox busy, try again later';
        callback(Object.assign(new Error(text), { responseCode: code }));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      stats.dataStarted += 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.hold) return;
        const raw = Buffer.concat(chunks).toString('utf8');
        PostalMime.parse(raw).then(
          (parsed) => {
            const headers: Record<string, string> = {};
            for (const header of parsed.headers) headers[header.key] = header.value;
            log.add({
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              from: mailbox(parsed.from),
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: parsed.html ?? '',
              headers,
              messageId: parsed.messageId ?? '',
              latchkeyId: headers['x-latchkey-message-id'] ?? '',
              raw,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages: log.messages,
    stats,
    waitFor: log.waitFor,
    close() {
      closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closed;
    },
  };
}
