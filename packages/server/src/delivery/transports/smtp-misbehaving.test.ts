/**
 * The SMTP transport against a mail server that misbehaves: drops the connection in the middle of DATA or before
 * its reply, stalls, or answers 4xx and 5xx. Every failure must come back as a result (never a hang, an unhandled
 * rejection or a socket left open), temporary unless the server refused for good, with words that say what the
 * server did and, when it answered, its reply code and text.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type MisbehavingSmtp,
  type SmtpFault,
  startMisbehavingSmtp,
} from '../../test-support/misbehaving-smtp.js';
import type { DeliveryResult, EmailTransport, OutgoingEmail } from '../message.js';
import { createSmtpTransport, type SmtpTransportOptions, smtpTimeouts } from './smtp-transport.js';

const TOKEN = 'Zq3xK9mW2pLr7vTb';
const LINK = `https://auth.acme.test/l/${TOKEN}`;
const CODE = '482913';
const PASSWORD = 'S3cret-Pa55word!';

/** Short enough that a stalled server costs a test well under a second. */
const SHORT = { connectionTimeoutMs: 300, greetingTimeoutMs: 300, socketTimeoutMs: 300 };

function email(): OutgoingEmail {
  return {
    id: 'msg_01J9ZFAULTYSERVER',
    appId: 'app_test',
    to: 'ada@example.test',
    from: { name: 'Acme Login', address: 'login@acme.test' },
    subject: 'Sign in to Acme',
    text: `Open this link to sign in:\n${LINK}\n\nOr enter the code ${CODE}.\n`,
    html: `<p><a href="${LINK}">Sign in</a></p><p>Or enter the code <b>${CODE}</b>.</p>`,
  };
}

const cleanups: Array<() => Promise<void>> = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => {
  process.on('unhandledRejection', onUnhandled);
});
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  // Late timers of a failed send (a requeue, a close) would reject here, after the test had its result.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(unhandled).toEqual([]);
});

async function badServer(faults: SmtpFault[]): Promise<MisbehavingSmtp> {
  const server = await startMisbehavingSmtp(faults);
  cleanups.push(() => server.close());
  return server;
}

function transport(url: string, options: Omit<SmtpTransportOptions, 'url'> = SHORT): EmailTransport {
  const created = createSmtpTransport({ url, ...options });
  cleanups.push(() => created.close());
  return created;
}

function expectTemporary(result: DeliveryResult): string {
  if (result.ok) throw new Error('expected the send to fail');
  expect(result.permanent, result.error).toBe(false);
  expectNoSecrets(result.error);
  return result.error;
}

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(LINK);
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(CODE);
  expect(text).not.toContain(PASSWORD);
  expect(text.length).toBeLessThanOrEqual(300);
}

/** Sockets of this process; the server's end of a connection counts too, so both ends must be gone. */
function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
}

/** The client closed every connection it opened: the server sees none, and this process holds no extra socket. */
async function expectNoLeak(server: MisbehavingSmtp, socketsBefore: number): Promise<void> {
  await server.waitForNoSockets(3_000);
  const deadline = Date.now() + 3_000;
  while (tcpSockets() > socketsBefore && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(tcpSockets()).toBe(socketsBefore);
}

describe('SMTP transport: a connection that drops', () => {
  it('in the middle of DATA: temporary, says no 250 came, and is not resent within the same send', async () => {
    const server = await badServer(['drop-in-data']);
    const mailer = transport(server.url);
    const before = tcpSockets();

    const error = expectTemporary(await mailer.send(email()));

    expect(error).toContain(`127.0.0.1:${server.port}`);
    expect(error).toMatch(/closed the connection/);
    expect(error).toMatch(/no 250 reply/);
    // One transaction: the pool did not quietly send the message again over a new connection.
    expect(server.stats.transactions).toBe(1);
    expect(server.received).toHaveLength(0);
    await expectNoLeak(server, before);

    // The server behaves again: the next send (the outbox's retry) goes through.
    expect((await mailer.send(email())).ok).toBe(true);
    expect(server.accepted()).toHaveLength(1);
  });

  it('after the whole message but before the reply: temporary, and the retry makes a second copy', async () => {
    const server = await badServer(['drop-after-data']);
    const mailer = transport(server.url);
    const before = tcpSockets();

    const error = expectTemporary(await mailer.send(email()));
    expect(error).toMatch(/closed the connection/);
    expect(error).toMatch(/no 250 reply/);
    expect(server.stats.transactions).toBe(1);
    await expectNoLeak(server, before);

    expect((await mailer.send(email())).ok).toBe(true);
    // The server had the first copy already: at-least-once means the person may get the message twice, with the
    // same Message-ID, which is all a receiver has to tell them apart.
    expect(server.received).toHaveLength(2);
    expect(server.received.map((m) => m.messageId)).toEqual([
      '<msg_01J9ZFAULTYSERVER@acme.test>',
      '<msg_01J9ZFAULTYSERVER@acme.test>',
    ]);
    expect(server.accepted()).toHaveLength(1);
  });
});

describe('SMTP transport: a server that stalls', () => {
  it('without a greeting: gives up after greetingTimeoutMs, temporary', async () => {
    const server = await badServer(['stall-greeting']);
    const before = tcpSockets();
    const started = Date.now();

    // A socket timeout as short would run out at the same moment and say less about what happened.
    const mailer = transport(server.url, { greetingTimeoutMs: 300, socketTimeoutMs: 5_000 });
    const error = expectTemporary(await mailer.send(email()));

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toContain(`127.0.0.1:${server.port}`);
    expect(error).toMatch(/no greeting/);
    expect(error).toContain('0.3 s');
    await expectNoLeak(server, before);
  });

  it('after reading the message: gives up after socketTimeoutMs, temporary, and says no 250 came', async () => {
    const server = await badServer(['stall-after-data']);
    const before = tcpSockets();
    const started = Date.now();

    const error = expectTemporary(await transport(server.url).send(email()));

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatch(/went silent for 0\.3 s/);
    expect(error).toMatch(/no 250 reply/);
    expect(server.received).toHaveLength(1);
    await expectNoLeak(server, before);
  });

  it('past the send timeout, even while the socket timeout has not run out: temporary', async () => {
    const server = await badServer(['stall-after-data']);
    const before = tcpSockets();
    const started = Date.now();

    const error = expectTemporary(
      await transport(server.url, { socketTimeoutMs: 60_000, sendTimeoutMs: 400 }).send(email()),
    );

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toMatch(/no 250 reply/);
    expect(error).toContain('0.4 s');
    await expectNoLeak(server, before);
  });

  it('keeps production defaults long, and lets LATCHKEY_SMTP_URL or the options shorten them', () => {
    expect(smtpTimeouts({ url: 'smtp://mail.example.com:587' })).toEqual({
      connectionMs: 10_000,
      greetingMs: 10_000,
      socketMs: 30_000,
      sendMs: 45_000,
    });
    expect(smtpTimeouts({ url: 'smtp://mail.example.com:587', ...SHORT, sendTimeoutMs: 900 })).toEqual({
      connectionMs: 300,
      greetingMs: 300,
      socketMs: 300,
      sendMs: 900,
    });
    // nodemailer reads the URL's query last, so a value there is the one in force.
    expect(
      smtpTimeouts({
        url: 'smtp://mail.example.com:587?socketTimeout=2500&greetingTimeout=700&connectionTimeout=x',
        socketTimeoutMs: 300,
      }),
    ).toEqual({ connectionMs: 10_000, greetingMs: 700, socketMs: 2_500, sendMs: 45_000 });
  });

  it('verify() names the greeting timeout in force', async () => {
    const server = await badServer(['stall-greeting']);
    const result = await transport(server.url, { greetingTimeoutMs: 300, socketTimeoutMs: 5_000 }).verify();
    if (result.ok) throw new Error('expected the check to fail');
    expect(result.problem).toContain(
      `Connected to 127.0.0.1:${server.port}, but no SMTP greeting came within 0.3 s`,
    );
  });
});

describe('SMTP transport: 4xx and 5xx answers', () => {
  it('a 451 after DATA is temporary and carries the code, the text and where it came', async () => {
    const server = await badServer([
      { at: 'end of data', code: 451, text: '4.3.0 Queue full, try again later' },
    ]);
    const error = expectTemporary(await transport(server.url).send(email()));
    expect(error).toContain('451 4.3.0 Queue full, try again later');
    expect(error).toContain(`127.0.0.1:${server.port}`);
    expect(error).toMatch(/the message/);
    expect(error).toMatch(/temporary/);
  });

  it('a 550 after a 451 is permanent, with its reply, and without the link, code or password it quotes', async () => {
    const quoting = ({ body, login }: { body: string; login: string | undefined }) =>
      `5.7.1 Rejected for ${login}: ${body.slice(body.indexOf('Open this link')).replace(/\s+/g, ' ').slice(0, 120)}`;
    const server = await badServer([
      { at: 'RCPT TO', code: 451, text: '4.7.1 Greylisted, come back in 5 minutes' },
      { at: 'end of data', code: 550, text: quoting },
    ]);
    const mailer = transport(`smtp://mailer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`, SHORT);

    const first = expectTemporary(await mailer.send(email()));
    expect(first).toContain('RCPT TO');
    expect(first).toContain('451 4.7.1 Greylisted, come back in 5 minutes');

    const second = await mailer.send(email());
    if (second.ok) throw new Error('expected the send to fail');
    expect(second.permanent).toBe(true);
    expectNoSecrets(second.error);
    expect(second.error).toContain('550 5.7.1 Rejected for mailer:');
    expect(second.error).toMatch(/permanent/);
    // The server did get the password (on each connection the pool opened); no error shows it.
    expect(new Set(server.logins)).toEqual(new Set([`mailer:${PASSWORD}`]));
  });

  it('a 421 after DATA is temporary, and the next send opens a fresh connection', async () => {
    const server = await badServer([{ at: 'end of data', code: 421, text: '4.3.2 Shutting down' }]);
    const mailer = transport(server.url);
    const error = expectTemporary(await mailer.send(email()));
    expect(error).toContain('421 4.3.2 Shutting down');
    expect((await mailer.send(email())).ok).toBe(true);
    expect(server.stats.connections).toBe(2);
  });

  it('joins a multi-line reply into one line', async () => {
    const server = await badServer([
      { at: 'RCPT TO', code: 452, text: '4.2.2 Mailbox full\n4.2.2 Ask the recipient to make room' },
    ]);
    const error = expectTemporary(await transport(server.url).send(email()));
    expect(error).toContain('452 4.2.2 Mailbox full 4.2.2 Ask the recipient to make room');
  });
});
