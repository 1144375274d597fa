import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryResult, Fetch, OutgoingSms, VerifyResult } from '../message.js';
import { createSmsHookTransport } from './sms-hook-transport.js';
import { createTwilioTransport } from './twilio-transport.js';

const TOKEN = 'Zq3xK9mW2pLr7vTb';
const LINK = `https://auth.acme.test/l/${TOKEN}`;
const CODE = '482913';
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'twilio-auth-token-value-0123456789';
const HOOK_SECRET = `whsec_${Buffer.from('sms hook secret: thirty-two bytes').toString('base64')}`;

function sms(overrides: Partial<OutgoingSms> = {}): OutgoingSms {
  return {
    id: 'msg_01J9ZSMSMESSAGE',
    appId: 'app_test',
    linkId: 'lnk_01J9ZLINK',
    to: '+4915112345678',
    body: `Your Acme sign-in link: ${LINK} (code ${CODE})`,
    ...overrides,
  };
}

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (request: Seen, response: ServerResponse) => void;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A real HTTP server on 127.0.0.1 that records every request and answers with `handler`. */
async function startHttp(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: Seen = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      handler(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

async function deadUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function expectFailure(result: DeliveryResult): { permanent: boolean; error: string } {
  if (result.ok) throw new Error('expected the send to fail');
  expect(result.error).not.toContain(LINK);
  expect(result.error).not.toContain(TOKEN);
  expect(result.error).not.toContain(CODE);
  expect(result.error).not.toContain('sign-in link');
  expect(result.error.length).toBeLessThanOrEqual(300);
  return result;
}

function problemOf(result: VerifyResult): string {
  if (result.ok) throw new Error(`expected the check to fail, got: ${result.detail}`);
  return result.problem;
}

const timingOut: Fetch = async () => {
  throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
};

describe('Twilio transport', () => {
  function twilio(baseUrl: string, from = '+14155550100') {
    return createTwilioTransport({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from, baseUrl }, fetch);
  }

  it('POSTs the form to the Messages resource with Basic auth and returns the message sid', async () => {
    const api = await startHttp((_request, response) =>
      json(response, 201, { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }),
    );
    const result = await twilio(`${api.url}/`).send(sms());
    expect(result).toEqual({ ok: true, providerId: 'SM0123456789abcdef0123456789abcdef' });
    expect(api.seen).toHaveLength(1);
    const [request] = api.seen;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(request?.body);
    expect(Object.fromEntries(form)).toEqual({
      To: '+4915112345678',
      Body: sms().body,
      From: '+14155550100',
    });
  });

  it('sends MessagingServiceSid instead of From for a messaging service', async () => {
    const api = await startHttp((_request, response) => json(response, 201, { sid: 'SM1' }));
    const service = `MG${'0123456789abcdef'.repeat(2)}`;
    expect((await twilio(api.url, service).send(sms())).ok).toBe(true);
    const form = new URLSearchParams(api.seen[0]?.body);
    expect(form.get('MessagingServiceSid')).toBe(service);
    expect(form.has('From')).toBe(false);
  });

  it('treats 500 and 429 as transient', async () => {
    const statuses = [500, 503, 429];
    const api = await startHttp((_request, response) =>
      json(response, statuses.shift() ?? 500, { code: 20500, message: 'Internal Server Error' }),
    );
    const transport = twilio(api.url);
    for (const status of [500, 503, 429]) {
      const failure = expectFailure(await transport.send(sms()));
      expect(failure.permanent).toBe(false);
      expect(failure.error).toContain(`HTTP ${status}`);
    }
  });

  it("treats a 400 as permanent, with Twilio's code and message but not our body", async () => {
    const api = await startHttp((request, response) => {
      const body = new URLSearchParams(request.body).get('Body');
      json(response, 400, {
        code: 21211,
        message: "The 'To' number +4915112345678 is not a valid phone number.",
        more_info: 'https://www.twilio.com/docs/errors/21211',
        echoed: body,
        status: 400,
      });
    });
    const failure = expectFailure(await twilio(api.url).send(sms()));
    expect(failure.permanent).toBe(true);
    expect(failure.error).toContain('code 21211');
    expect(failure.error).toContain("The 'To' number +4915112345678 is not a valid phone number.");
  });

  it("keeps our body out even when Twilio's message quotes it", async () => {
    const api = await startHttp((request, response) =>
      json(response, 400, {
        code: 30007,
        message: `Rejected: ${new URLSearchParams(request.body).get('Body')}`,
      }),
    );
    const failure = expectFailure(await twilio(api.url).send(sms()));
    expect(failure.permanent).toBe(true);
    expect(failure.error).toContain('code 30007');
  });

  it('treats a refused token (401) as permanent', async () => {
    const api = await startHttp((_request, response) =>
      json(response, 401, { code: 20003, message: 'Authenticate' }),
    );
    const failure = expectFailure(await twilio(api.url).send(sms()));
    expect(failure.permanent).toBe(true);
    expect(failure.error).toContain('refused the account SID or auth token');
    expect(failure.error).not.toContain(AUTH_TOKEN);
  });

  it('treats network errors and timeouts as transient', async () => {
    const refused = expectFailure(await twilio(await deadUrl()).send(sms()));
    expect(refused.permanent).toBe(false);
    expect(refused.error).toContain('ECONNREFUSED');
    const slow = createTwilioTransport(
      { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: '+14155550100', baseUrl: 'http://127.0.0.1:9' },
      timingOut,
    );
    const timedOut = expectFailure(await slow.send(sms()));
    expect(timedOut.permanent).toBe(false);
    expect(timedOut.error).toContain('within 10 s');
  });

  it('verify(): asks for the account with the credentials; 200 is fine', async () => {
    const api = await startHttp((_request, response) =>
      json(response, 200, { sid: ACCOUNT_SID, friendly_name: 'Acme', status: 'active' }),
    );
    const result = await twilio(api.url).verify();
    expect(result.ok).toBe(true);
    expect(api.seen[0]?.method).toBe('GET');
    expect(api.seen[0]?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT_SID}.json`);
    expect(api.seen[0]?.headers.authorization).toMatch(/^Basic /);
  });

  it('verify(): 401 says the SID or token was refused; a suspended account and an outage are named', async () => {
    const answers: Array<[number, unknown]> = [
      [401, { code: 20003, message: 'Authenticate' }],
      [200, { sid: ACCOUNT_SID, status: 'suspended' }],
      [503, { message: 'Service Unavailable' }],
    ];
    const api = await startHttp((_request, response) => {
      const [status, body] = answers.shift() ?? [500, {}];
      json(response, status, body);
    });
    const transport = twilio(api.url);
    const refused = problemOf(await transport.verify());
    expect(refused).toContain('Twilio refused the account SID or auth token');
    expect(refused).not.toContain(AUTH_TOKEN);
    expect(problemOf(await transport.verify())).toContain('the account is suspended');
    expect(problemOf(await transport.verify())).toContain('HTTP 503');
    expect(problemOf(await twilio(await deadUrl()).verify())).toContain('ECONNREFUSED');
  });
});

describe('SMS hook transport', () => {
  /** The receiving side, written independently of the transport: Standard Webhooks verification by hand. */
  function signatureIsValid(request: Seen): boolean {
    const id = String(request.headers['webhook-id']);
    const timestamp = String(request.headers['webhook-timestamp']);
    const key = Buffer.from(HOOK_SECRET.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
    return String(request.headers['webhook-signature'] ?? '')
      .split(' ')
      .some((candidate) => {
        const [version, signature] = candidate.split(',');
        const given = Buffer.from(signature ?? '', 'base64');
        return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
      });
  }

  function hook(url: string) {
    return createSmsHookTransport({ url, secret: HOOK_SECRET }, fetch);
  }

  it('POSTs the signed JSON message; the signature verifies on the receiving side', async () => {
    const receiver = await startHttp((request, response) => {
      response.writeHead(signatureIsValid(request) ? 204 : 401);
      response.end();
    });
    const before = Math.floor(Date.now() / 1000);
    const result = await hook(`${receiver.url}/hooks/sms`).send(sms());
    expect(result).toEqual({ ok: true });
    const [request] = receiver.seen;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/sms');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe('msg_01J9ZSMSMESSAGE');
    const timestamp = Number(request?.headers['webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const body = JSON.parse(request?.body ?? '{}') as Record<string, unknown>;
    expect(body).toEqual({
      type: 'sms.send',
      timestamp: expect.any(String),
      data: {
        message_id: 'msg_01J9ZSMSMESSAGE',
        app_id: 'app_test',
        link_id: 'lnk_01J9ZLINK',
        to: '+4915112345678',
        body: sms().body,
      },
    });
    expect(Math.floor(Date.parse(String(body.timestamp)) / 1000)).toBe(timestamp);
    // A tampered body does not verify.
    expect(
      signatureIsValid({ ...request!, body: request!.body.replace('+4915112345678', '+4915199999999') }),
    ).toBe(false);
  });

  it('sends a retry with the same webhook-id, and a null link id as null', async () => {
    const receiver = await startHttp((_request, response) => {
      response.writeHead(200);
      response.end('ok');
    });
    const transport = hook(receiver.url);
    await transport.send(sms({ linkId: null }));
    await transport.send(sms({ linkId: null }));
    expect(receiver.seen.map((r) => r.headers['webhook-id'])).toEqual([
      'msg_01J9ZSMSMESSAGE',
      'msg_01J9ZSMSMESSAGE',
    ]);
    expect(receiver.seen.every(signatureIsValid)).toBe(true);
    expect(
      (JSON.parse(receiver.seen[0]?.body ?? '{}') as { data: { link_id: unknown } }).data.link_id,
    ).toBeNull();
  });

  it('treats 5xx and 429 as transient, other 4xx as permanent, and keeps echoed input out of the error', async () => {
    const statuses = [500, 429, 400, 422];
    const receiver = await startHttp((request, response) => {
      response.writeHead(statuses.shift() ?? 500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'cannot deliver', input: JSON.parse(request.body) }));
    });
    const transport = hook(receiver.url);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(expectFailure(await transport.send(sms())));
    expect(results.map((r) => r.permanent)).toEqual([false, false, true, true]);
    expect(results[2]?.error).toContain('HTTP 400');
    expect(results[2]?.error).toContain('cannot deliver');
  });

  it('treats a redirect as permanent and does not follow it', async () => {
    const receiver = await startHttp((request, response) => {
      if (request.path === '/hooks/sms') {
        response.writeHead(302, { location: '/elsewhere?token=abc' });
        response.end();
      } else {
        response.writeHead(200);
        response.end();
      }
    });
    const failure = expectFailure(await hook(`${receiver.url}/hooks/sms`).send(sms()));
    expect(failure.permanent).toBe(true);
    expect(failure.error).toContain('the hook redirected');
    expect(failure.error).toContain('LATCHKEY_SMS_HOOK_URL');
    expect(failure.error).not.toContain('token=abc');
    expect(receiver.seen.map((r) => r.path)).toEqual(['/hooks/sms']);
  });

  it('treats network errors and timeouts as transient', async () => {
    const refused = expectFailure(await hook(await deadUrl()).send(sms()));
    expect(refused.permanent).toBe(false);
    expect(refused.error).toContain('ECONNREFUSED');
    const timedOut = expectFailure(
      await createSmsHookTransport({ url: 'http://127.0.0.1:9/', secret: HOOK_SECRET }, timingOut).send(
        sms(),
      ),
    );
    expect(timedOut.permanent).toBe(false);
  });

  it('verify(): names the URL it will call, not the secret, and sends nothing', async () => {
    const receiver = await startHttp((_request, response) => {
      response.writeHead(200);
      response.end();
    });
    const result = await hook(`${receiver.url}/hooks/sms?key=s3cr3t`).verify();
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.detail).toContain(`${receiver.url}/hooks/sms`);
      expect(result.detail).not.toContain(HOOK_SECRET);
      expect(result.detail).not.toContain(HOOK_SECRET.slice(6));
      expect(result.detail).not.toContain('s3cr3t');
    }
    expect(receiver.seen).toHaveLength(0);
  });
});
