import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveryResult, EmailTransport, OutgoingEmail, VerifyResult } from '../message.js';
import { createSmtpTransport } from './smtp-transport.js';

const TOKEN = 'Zq3xK9mW2pLr7vTb';
const LINK = `https://auth.acme.test/l/${TOKEN}`;
const CODE = '482913';
const PASSWORD = 'S3cret-Pa55word!';

function email(overrides: Partial<OutgoingEmail> = {}): OutgoingEmail {
  return {
    id: 'msg_01J9ZTESTMESSAGE',
    appId: 'app_test',
    to: 'ada@example.test',
    from: { name: 'Acme Login', address: 'login@acme.test' },
    subject: 'Sign in to Acme',
    text: `Hello,\n\nOpen this link to sign in:\n${LINK}\n\nOr enter the code ${CODE}.\n`,
    html: `<p>Open this link to sign in:</p><p><a href="${LINK}">Sign in</a></p><p>Or enter the code <b>${CODE}</b>.</p>`,
    ...overrides,
  };
}

interface Received {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
  parsed: Email;
}

interface TestSmtp {
  server: SMTPServer;
  port: number;
  received: Received[];
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Newest first: transports close their pools before the servers they talk to stop.
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function startSmtp(options: SMTPServerOptions = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 200,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        PostalMime.parse(raw).then(
          (parsed) => {
            received.push({
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((address) => address.address),
              raw,
              parsed,
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      });
    },
    ...options,
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.server.address() as AddressInfo).port, received };
}

function transport(
  url: string,
  options: Omit<Parameters<typeof createSmtpTransport>[0], 'url'> = {},
): EmailTransport {
  const created = createSmtpTransport({ url, ...options });
  cleanups.push(() => created.close());
  return created;
}

/** A port that was free a moment ago: nothing listens there. */
async function deadPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Accepts TCP connections and never says a word. */
async function silentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

function header(parsed: Email, name: string): string | undefined {
  return parsed.headers.find((h) => h.key === name.toLowerCase())?.value;
}

function expectFailure(result: DeliveryResult): { permanent: boolean; error: string } {
  if (result.ok) throw new Error('expected the send to fail');
  expect(result.error).not.toContain(LINK);
  expect(result.error).not.toContain(TOKEN);
  expect(result.error).not.toContain(CODE);
  expect(result.error.length).toBeLessThanOrEqual(300);
  return result;
}

function problemOf(result: VerifyResult): string {
  if (result.ok) throw new Error(`expected the check to fail, got: ${result.detail}`);
  return result.problem;
}

function refuse(code: number, text: string): Error & { responseCode: number } {
  return Object.assign(new Error(text), { responseCode: code });
}

describe('SMTP transport: delivery', () => {
  it('delivers text and HTML parts, the subject, From with its name and the tracing headers', async () => {
    const smtp = await startSmtp();
    const result = await transport(`smtp://127.0.0.1:${smtp.port}`).send(email());
    // The server's reply to the message is kept for the attempt log.
    expect(result).toEqual({
      ok: true,
      providerId: undefined,
      accepted: true,
      answer: '250 OK: message queued',
    });
    expect(smtp.received).toHaveLength(1);
    const [message] = smtp.received;
    expect(message?.mailFrom).toBe('login@acme.test');
    expect(message?.rcptTo).toEqual(['ada@example.test']);
    const parsed = message!.parsed;
    expect(parsed.subject).toBe('Sign in to Acme');
    expect(parsed.from).toEqual({ name: 'Acme Login', address: 'login@acme.test' });
    expect(parsed.to).toEqual([{ name: '', address: 'ada@example.test' }]);
    expect(parsed.text?.trim()).toBe(email().text.trim());
    expect(parsed.html).toContain(`<a href="${LINK}">Sign in</a>`);
    expect(header(parsed, 'X-Latchkey-Message-Id')).toBe('msg_01J9ZTESTMESSAGE');
    expect(parsed.messageId).toBe('<msg_01J9ZTESTMESSAGE@acme.test>');
    expect(header(parsed, 'Auto-Submitted')).toBe('auto-generated');
    expect(header(parsed, 'DKIM-Signature')).toBeUndefined();
    expect(message!.raw).toMatch(/^From: "?Acme Login"? <login@acme\.test>\r?$/m);
  });

  it('keeps the same Message-ID when the same message is sent again', async () => {
    const smtp = await startSmtp();
    const mailer = transport(`smtp://127.0.0.1:${smtp.port}`);
    await mailer.send(email());
    await mailer.send(email());
    expect(smtp.received.map((m) => m.parsed.messageId)).toEqual([
      '<msg_01J9ZTESTMESSAGE@acme.test>',
      '<msg_01J9ZTESTMESSAGE@acme.test>',
    ]);
  });

  it('encodes non-ASCII subjects and names, and quotes names with specials', async () => {
    const smtp = await startSmtp();
    const mailer = transport(`smtp://127.0.0.1:${smtp.port}`);
    const german = 'Anmeldung bei Müller & Söhne – Ihr Link';
    const chinese = '登录 Acme：您的链接';
    const tricky = 'Bäckerei "Zur Post", Berlin <Login>';
    expect(
      await mailer.send(email({ subject: german, from: { name: tricky, address: 'login@acme.test' } })),
    ).toEqual({
      ok: true,
      providerId: undefined,
      accepted: true,
      answer: '250 OK: message queued',
    });
    expect(
      (await mailer.send(email({ subject: chinese, from: { name: '张伟', address: 'login@acme.test' } }))).ok,
    ).toBe(true);
    const [first, second] = smtp.received;
    expect(first?.parsed.subject).toBe(german);
    expect(first?.parsed.from).toEqual({ name: tricky, address: 'login@acme.test' });
    expect(second?.parsed.subject).toBe(chinese);
    expect(second?.parsed.from).toEqual({ name: '张伟', address: 'login@acme.test' });
    // Headers on the wire stay 7-bit: the non-ASCII text is in encoded words.
    const headerBlock = first!.raw.slice(0, first!.raw.indexOf('\r\n\r\n'));
    expect(/^[\x20-\x7e\r\n\t]*$/.test(headerBlock)).toBe(true);
  });

  it('sends a plain address as From when there is no name', async () => {
    const smtp = await startSmtp();
    await transport(`smtp://127.0.0.1:${smtp.port}`).send(
      email({ from: { name: null, address: 'login@acme.test' } }),
    );
    expect(smtp.received[0]?.parsed.from).toEqual({ name: '', address: 'login@acme.test' });
  });

  it('refuses CR or LF in any header value, and address lists, without contacting the server', async () => {
    const smtp = await startSmtp();
    const mailer = transport(`smtp://127.0.0.1:${smtp.port}`);
    const attempts: OutgoingEmail[] = [
      email({ subject: 'Hello\r\nBcc: victim@example.test' }),
      email({ subject: 'Hello\nX-Evil: 1' }),
      email({ from: { name: 'Acme\r\nBcc: victim@example.test', address: 'login@acme.test' } }),
      email({ to: 'ada@example.test\r\nBcc: victim@example.test' }),
      email({ to: 'ada@example.test, victim@example.test' }),
      email({ to: 'Ada <ada@example.test>' }),
      email({ id: 'msg_1\r\nX-Evil: 1' }),
    ];
    for (const attempt of attempts) {
      const failure = expectFailure(await mailer.send(attempt));
      expect(failure.permanent).toBe(true);
      expect(failure.error).not.toContain('victim');
    }
    expect(smtp.received).toHaveLength(0);
  });

  it('signs with DKIM when a key is configured, as PEM text or as a file path', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-dkim-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'dkim.pem');
    writeFileSync(keyFile, pem);

    const smtp = await startSmtp();
    const url = `smtp://127.0.0.1:${smtp.port}`;
    await transport(url, { dkim: { domain: 'acme.test', selector: 'latchkey', privateKey: pem } }).send(
      email(),
    );
    await transport(url, { dkim: { domain: 'acme.test', selector: 'mail2025', privateKey: keyFile } }).send(
      email(),
    );
    const [fromPem, fromFile] = smtp.received.map((m) => header(m.parsed, 'DKIM-Signature') ?? '');
    for (const [signature, selector] of [
      [fromPem, 'latchkey'],
      [fromFile, 'mail2025'],
    ] as const) {
      expect(signature).toMatch(/(^|;)\s*d=acme\.test\s*(;|$)/);
      expect(signature).toMatch(new RegExp(`(^|;)\\s*s=${selector}\\s*(;|$)`));
      expect(signature).toMatch(/a=rsa-sha256/);
      expect(signature).toMatch(/\bb=[A-Za-z0-9+/=\s]{100,}/);
    }
  });

  it('refuses to start with a DKIM key that is neither PEM nor a file, without echoing it', () => {
    const secretish = 'not-a-key-but-maybe-a-secret-value';
    expect(() =>
      createSmtpTransport({
        url: 'smtp://127.0.0.1:2525',
        dkim: { domain: 'acme.test', selector: 'latchkey', privateKey: secretish },
      }),
    ).toThrow(/LATCHKEY_DKIM_PRIVATE_KEY/);
    try {
      createSmtpTransport({
        url: 'smtp://127.0.0.1:2525',
        dkim: { domain: 'acme.test', selector: 'latchkey', privateKey: secretish },
      });
    } catch (error) {
      expect((error as Error).message).not.toContain(secretish);
    }
  });
});

describe('SMTP transport: failures', () => {
  it('reports a 550 for the recipient as permanent, with the reply but without the link', async () => {
    const smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(refuse(550, '5.1.1 No such user here'));
      },
    });
    const failure = expectFailure(await transport(`smtp://127.0.0.1:${smtp.port}`).send(email()));
    expect(failure.permanent).toBe(true);
    expect(failure.error).toContain('550 5.1.1 No such user here');
    expect(failure.error).toContain('RCPT TO');
  });

  it('reports a 451 as transient', async () => {
    const smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        callback(refuse(451, '4.7.1 Greylisted, try again later'));
      },
    });
    const failure = expectFailure(await transport(`smtp://127.0.0.1:${smtp.port}`).send(email()));
    expect(failure.permanent).toBe(false);
    expect(failure.error).toContain('451 4.7.1 Greylisted');
  });

  it('keeps the link and the code out of the error when the server echoes the body in its refusal', async () => {
    const smtp = await startSmtp({
      onData(stream, _session, callback) {
        let body = '';
        stream.on('data', (chunk: Buffer) => {
          body += chunk.toString('utf8');
        });
        stream.on('end', () => {
          const quoted = body.slice(body.indexOf('Open this link')).replace(/\s+/g, ' ').slice(0, 200);
          callback(refuse(554, `5.7.1 Message rejected as spam: ${quoted}`));
        });
      },
    });
    const failure = expectFailure(await transport(`smtp://127.0.0.1:${smtp.port}`).send(email()));
    expect(failure.permanent).toBe(true);
    expect(failure.error).toContain('554 5.7.1 Message rejected as spam');
  });

  it('reports a port with nothing listening as transient', async () => {
    const port = await deadPort();
    const failure = expectFailure(await transport(`smtp://127.0.0.1:${port}`).send(email()));
    expect(failure.permanent).toBe(false);
    expect(failure.error).toContain('ECONNREFUSED');
    expect(failure.error).toContain(`127.0.0.1:${port}`);
  });

  it('reports a refused login as permanent and never shows the password', async () => {
    const smtp = await startSmtp({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(_auth, _session, callback) {
        callback(refuse(535, '5.7.8 Authentication credentials invalid'));
      },
    });
    const url = `smtp://mailer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`;
    const failure = expectFailure(await transport(url).send(email()));
    expect(failure.permanent).toBe(true);
    expect(failure.error).toContain('535');
    expect(failure.error).not.toContain(PASSWORD);
    expect(failure.error).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('passes URL options through: a short greeting timeout ends a send to a silent server as transient', async () => {
    const port = await silentServer();
    const url = `smtp://127.0.0.1:${port}?greetingTimeout=300&connectionTimeout=300`;
    const started = Date.now();
    const failure = expectFailure(await transport(url).send(email()));
    expect(failure.permanent).toBe(false);
    expect(failure.error).toMatch(/no greeting came within 0\.3 s \(greetingTimeout\)/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('SMTP transport: verify()', () => {
  it('connects and logs in against a server that accepts the login', async () => {
    const logins: string[] = [];
    const smtp = await startSmtp({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password}`);
        callback(null, { user: auth.username });
      },
    });
    const result = await transport(
      `smtp://mailer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`,
    ).verify();
    expect(result).toEqual({
      ok: true,
      detail: `Connected to 127.0.0.1:${smtp.port} and the server accepted the login.`,
    });
    expect(logins).toEqual([`mailer:${PASSWORD}`]);
    expect(smtp.received).toHaveLength(0);
  });

  it('says so when no login is configured', async () => {
    const smtp = await startSmtp();
    const result = await transport(`smtp://127.0.0.1:${smtp.port}`).verify();
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.detail).toContain(`Connected to 127.0.0.1:${smtp.port}`);
  });

  it('names host:port when nothing is listening', async () => {
    const port = await deadPort();
    const problem = problemOf(
      await transport(`smtp://mailer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`).verify(),
    );
    expect(problem).toBe(
      `Nothing is listening at 127.0.0.1:${port}. Is the mail server running, and is LATCHKEY_SMTP_URL right?`,
    );
  });

  it('says the user name or password was refused, and never shows the password', async () => {
    const smtp = await startSmtp({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(_auth, _session, callback) {
        callback(refuse(535, `5.7.8 Authentication failed for ${PASSWORD}`));
      },
    });
    const problem = problemOf(
      await transport(`smtp://mailer:${encodeURIComponent(PASSWORD)}@127.0.0.1:${smtp.port}`).verify(),
    );
    expect(problem).toMatch(/refused the user name "mailer" or its password/);
    expect(problem).toContain('LATCHKEY_SMTP_URL');
    expect(problem).not.toContain(PASSWORD);
    expect(problem).not.toContain(encodeURIComponent(PASSWORD));
  });

  it('says a login is needed when the server wants one and the URL has none', async () => {
    const smtp = await startSmtp({
      authOptional: false,
      allowInsecureAuth: true,
      onAuth(_auth, _session, callback) {
        callback(null, { user: 'x' });
      },
      onMailFrom(_address, session, callback) {
        callback(session.user ? null : refuse(530, '5.7.0 Authentication required'));
      },
    });
    const mailer = transport(`smtp://127.0.0.1:${smtp.port}?forceAuth=true`);
    const problem = problemOf(await mailer.verify());
    expect(problem).toContain('no user name and password');
    const failure = expectFailure(await mailer.send(email()));
    expect(failure.permanent).toBe(true);
  });

  it('explains an untrusted certificate, and accepts it with ?tls.rejectUnauthorized=false', async () => {
    // smtp-server's built-in test certificate: self-signed for localhost and long expired.
    const smtp = await startSmtp({ disabledCommands: [] });
    const problem = problemOf(await transport(`smtp://127.0.0.1:${smtp.port}`).verify());
    expect(problem).toMatch(
      /TLS certificate of 127\.0\.0\.1:\d+ (has expired|is not trusted|is for a different host)/,
    );
    expect(problem).toContain('tls.rejectUnauthorized=false');

    const relaxed = transport(`smtp://127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false`);
    expect((await relaxed.verify()).ok).toBe(true);
    expect((await relaxed.send(email())).ok).toBe(true);
    expect(smtp.received).toHaveLength(1);
  });

  it('explains smtps:// against a server that does not speak TLS from the first byte', async () => {
    const smtp = await startSmtp();
    const problem = problemOf(await transport(`smtps://127.0.0.1:${smtp.port}`).verify());
    expect(problem).toContain('does not speak TLS from the first byte');
  });

  it('explains a server that never greets', async () => {
    const port = await silentServer();
    const problem = problemOf(await transport(`smtp://127.0.0.1:${port}?greetingTimeout=300`).verify());
    expect(problem).toContain(`Connected to 127.0.0.1:${port}, but no SMTP greeting came`);
    expect(problem).toContain('smtps://');
  });
});

describe('SMTP transport: close()', () => {
  it('closes the pooled connections', async () => {
    const smtp = await startSmtp();
    const mailer = createSmtpTransport({ url: `smtp://127.0.0.1:${smtp.port}` });
    expect((await mailer.send(email())).ok).toBe(true);
    expect(smtp.server.connections.size).toBe(1);
    await mailer.close();
    const deadline = Date.now() + 5_000;
    while (smtp.server.connections.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(smtp.server.connections.size).toBe(0);
  });
});
