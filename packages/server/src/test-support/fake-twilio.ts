/**
 * A local stand-in for Twilio's Messages API: `POST /2010-04-01/Accounts/{sid}/Messages.json` with a form body
 * (To, From or MessagingServiceSid, Body) and HTTP Basic auth. It records what it accepts and can be told to answer
 * 500 to the next few calls.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMessageLog } from './message-log.js';

export interface FakeSms {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
}

export interface FakeTwilioRequest {
  method: string;
  path: string;
  /** The HTTP status the fake answered with. */
  status: number;
}

export interface FakeTwilio {
  /** What LATCHKEY_TWILIO_BASE_URL should be: `http://127.0.0.1:{port}`. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Messages accepted (answered 201), in order. */
  messages: FakeSms[];
  /** Every request, accepted or not. */
  requests: FakeTwilioRequest[];
  /** Answers `status` (default 500) to the next `count` message requests. */
  failNext(count: number, status?: number): void;
  /** Resolves once `count` messages were accepted; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<FakeSms[]>;
  close(): Promise<void>;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = options.authToken ?? randomBytes(16).toString('hex');
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const log = createMessageLog<FakeSms>(
    (received, wanted, ms) => `the fake Twilio accepted ${received} of ${wanted} messages in ${ms} ms`,
  );
  const messages = log.messages;
  const requests: FakeTwilioRequest[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 500 };

  const server = createServer((request, response) => {
    const answer = (status: number, body: Record<string, unknown>) => {
      requests.push({ method: request.method ?? '', path: request.url ?? '', status });
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    readText(request).then(
      (text) => {
        const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
        const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
        if (request.method !== 'POST' || !match) {
          answer(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
          return;
        }
        if (request.headers.authorization !== expectedAuth || decodeURIComponent(match[1]!) !== accountSid) {
          answer(401, { code: 20003, message: 'Authenticate', status: 401 });
          return;
        }
        if (failures.count > 0) {
          failures = { ...failures, count: failures.count - 1 };
          answer(failures.status, {
            code: 20500,
            message: 'An internal server error has occurred',
            status: failures.status,
          });
          return;
        }
        const form = new URLSearchParams(text);
        const to = form.get('To') ?? '';
        const body = form.get('Body') ?? '';
        const from = form.get('From') ?? form.get('MessagingServiceSid') ?? '';
        if (!to || !body || !from) {
          answer(400, { code: 21604, message: "A 'To', 'From' and 'Body' are required", status: 400 });
          return;
        }
        const sid = `SM${randomBytes(16).toString('hex')}`;
        log.add({ sid, accountSid, to, from, body });
        answer(201, { sid, account_sid: accountSid, to, from, body, status: 'queued' });
      },
      () => answer(400, { code: 0, message: 'unreadable body', status: 400 }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    requests,
    failNext(count, status = 500) {
      failures = { count, status };
    },
    waitFor: log.waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
