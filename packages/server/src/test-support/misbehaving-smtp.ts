/**
 * An SMTP server on 127.0.0.1 that misbehaves on request, for tests of what a sender does when the mail server does
 * not answer as it should. It speaks just enough SMTP over a raw socket (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET,
 * NOOP, QUIT) to be driven by nodemailer, because the faults that matter most cannot be made with smtp-server's
 * hooks: closing the socket in the middle of DATA, or reading the whole message and then never answering.
 *
 * Faults come from a queue, one per attempt, in order: `stall-greeting` is taken by the next connection, every other
 * fault by the next transaction (MAIL FROM). Once the queue is empty the server behaves and accepts everything.
 */

import { type AddressInfo, createServer, type Socket } from 'node:net';

/** A reply other than the expected one. */
export interface SmtpRefusal {
  /** Answer RCPT TO, the DATA command, or the message itself (after its final dot) with `code`. */
  at: 'RCPT TO' | 'DATA' | 'end of data';
  code: number;
  /**
   * The reply text after the code (a line break makes a multi-line reply). A function sees what the server has
   * seen, for a server that quotes the message or the login back.
   */
  text: string | ((seen: { body: string; login: string | undefined }) => string);
}

export type SmtpFault =
  /** Accept the TCP connection and never send the 220 greeting. */
  | 'stall-greeting'
  /** Answer DATA with 354, then close the socket as soon as part of the message has arrived. */
  | 'drop-in-data'
  /** Read the whole message (it counts as received: the server may deliver it), then close without a reply. */
  | 'drop-after-data'
  /** Read the whole message (it counts as received), then never answer; the socket stays open. */
  | 'stall-after-data'
  | SmtpRefusal;

export interface ReceivedBody {
  /** The message as it came over the wire, up to its final dot. */
  raw: string;
  /** Its Message-ID header. */
  messageId: string | undefined;
  /** The reply sent after its final dot (`250 …`, `451 …`), or undefined when there was none. */
  answer: string | undefined;
}

export interface MisbehavingSmtp {
  port: number;
  /** `smtp://127.0.0.1:{port}` */
  url: string;
  /** Faults still to come; push more at any time. */
  faults: SmtpFault[];
  /** Every message the server read to its final dot, whether it answered or not. */
  received: ReceivedBody[];
  /** The messages it answered with 250: the ones the sender knows were delivered. */
  accepted(): ReceivedBody[];
  /** Connections opened, and transactions (MAIL FROM) started. */
  stats: { connections: number; transactions: number };
  /** The logins (`user:password`) the server was given, in order. */
  logins: string[];
  /** How many connections are open right now. */
  openSockets(): number;
  /** Resolves once every connection is closed (by the client, when the server is stalling); rejects after timeoutMs. */
  waitForNoSockets(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const HOST = 'misbehaving.smtp.test';
const END_OF_DATA = '\r\n.\r\n';

export async function startMisbehavingSmtp(faults: SmtpFault[] = []): Promise<MisbehavingSmtp> {
  const sockets = new Set<Socket>();
  const received: ReceivedBody[] = [];
  const logins: string[] = [];
  const stats = { connections: 0, transactions: 0 };
  const queue = faults.slice();

  const server = createServer((socket) => {
    stats.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client that gives up resets the connection at times; that is what the tests provoke, not a failure.
    socket.on('error', () => {});
    const stall = queue[0] === 'stall-greeting';
    if (stall) queue.shift();
    serve(socket, stall, {
      nextFault: () => (queue[0] !== undefined && queue[0] !== 'stall-greeting' ? queue.shift() : undefined),
      onTransaction: () => {
        stats.transactions += 1;
      },
      onLogin: (login) => logins.push(login),
      onMessage: (body) => received.push(body),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  let closed: Promise<void> | undefined;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    faults: queue,
    received,
    accepted: () => received.filter((body) => body.answer?.startsWith('250') === true),
    stats,
    logins,
    openSockets: () => sockets.size,
    async waitForNoSockets(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (sockets.size > 0) {
        if (Date.now() > deadline) {
          throw new Error(`${sockets.size} SMTP connection(s) still open after ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

interface Hooks {
  nextFault(): SmtpFault | undefined;
  onTransaction(): void;
  onLogin(login: string): void;
  onMessage(body: ReceivedBody): void;
}

/** One connection: reads commands line by line, and the message up to its final dot while in DATA. */
function serve(socket: Socket, stalled: boolean, hooks: Hooks): void {
  let silent = stalled;
  let inData = false;
  let awaitingPlainLogin = false;
  let buffer = '';
  let fault: SmtpFault | undefined;
  let login: string | undefined;

  const reply = (code: number, text: string) => {
    const lines = text.split('\n');
    socket.write(lines.map((line, i) => `${code}${i < lines.length - 1 ? '-' : ' '}${line}\r\n`).join(''));
  };
  const refuse = (refusal: SmtpRefusal, body: string) => {
    const text = typeof refusal.text === 'function' ? refusal.text({ body, login }) : refusal.text;
    reply(refusal.code, text);
    // 421 says the service is closing the channel, and a real server does close it.
    if (refusal.code === 421) socket.end();
    return `${refusal.code} ${text}`;
  };
  const refusalAt = (at: SmtpRefusal['at']): SmtpRefusal | undefined =>
    typeof fault === 'object' && fault.at === at ? fault : undefined;

  const endOfData = (raw: string) => {
    inData = false;
    const messageId = /^Message-ID:\s*(.+?)\r?$/im.exec(raw)?.[1];
    const current = fault;
    fault = undefined;
    if (current === 'drop-after-data') {
      hooks.onMessage({ raw, messageId, answer: undefined });
      socket.destroy();
      return;
    }
    if (current === 'stall-after-data') {
      hooks.onMessage({ raw, messageId, answer: undefined });
      silent = true;
      return;
    }
    const refusal = typeof current === 'object' && current.at === 'end of data' ? current : undefined;
    const answer = refusal ? refuse(refusal, raw) : '250 2.0.0 Ok: queued';
    if (!refusal) reply(250, '2.0.0 Ok: queued');
    hooks.onMessage({ raw, messageId, answer });
  };

  const command = (line: string) => {
    if (awaitingPlainLogin) {
      awaitingPlainLogin = false;
      acceptLogin(line);
      return;
    }
    const verb = line.split(/[\s:]/, 1)[0]!.toUpperCase();
    switch (verb) {
      case 'EHLO':
        reply(250, `${HOST}\n8BITMIME\nAUTH PLAIN`);
        return;
      case 'HELO':
        reply(250, HOST);
        return;
      case 'AUTH': {
        const [, mechanism, initial] = line.split(/\s+/);
        if (mechanism?.toUpperCase() !== 'PLAIN') return reply(504, '5.5.4 Only PLAIN here');
        if (initial === undefined) {
          awaitingPlainLogin = true;
          return reply(334, '');
        }
        acceptLogin(initial);
        return;
      }
      case 'MAIL':
        hooks.onTransaction();
        fault = hooks.nextFault();
        reply(250, '2.1.0 Ok');
        return;
      case 'RCPT': {
        const refusal = refusalAt('RCPT TO');
        if (refusal) {
          refuse(refusal, '');
          fault = undefined;
          return;
        }
        reply(250, '2.1.5 Ok');
        return;
      }
      case 'DATA': {
        const refusal = refusalAt('DATA');
        if (refusal) {
          refuse(refusal, '');
          fault = undefined;
          return;
        }
        inData = true;
        reply(354, 'End data with <CR><LF>.<CR><LF>');
        return;
      }
      case 'RSET':
        fault = undefined;
        reply(250, '2.0.0 Ok');
        return;
      case 'NOOP':
        reply(250, '2.0.0 Ok');
        return;
      case 'QUIT':
        reply(221, '2.0.0 Bye');
        socket.end();
        return;
      default:
        reply(502, '5.5.2 Command not recognized');
    }
  };

  const acceptLogin = (encoded: string) => {
    const [, user = '', password = ''] = Buffer.from(encoded, 'base64').toString('utf8').split('\0');
    login = `${user}:${password}`;
    hooks.onLogin(login);
    reply(235, '2.7.0 Authentication successful');
  };

  socket.on('data', (chunk: Buffer) => {
    if (silent) return;
    // latin1 maps every byte to one character, so a chunk boundary never splits one.
    buffer += chunk.toString('latin1');
    while (!silent && !socket.destroyed) {
      if (inData) {
        if (fault === 'drop-in-data') {
          // Part of the message is here, its end is not (or not yet looked at): the server goes away.
          socket.destroy();
          return;
        }
        // The message starts right after the 354, so its final dot may be the very first line.
        const end = `\r\n${buffer}`.indexOf(END_OF_DATA);
        if (end === -1) return;
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + END_OF_DATA.length - 2);
        endOfData(raw);
        continue;
      }
      const eol = buffer.indexOf('\r\n');
      if (eol === -1) return;
      const line = buffer.slice(0, eol);
      buffer = buffer.slice(eol + 2);
      command(line);
    }
  });

  if (!stalled) reply(220, `${HOST} ESMTP ready`);
}
