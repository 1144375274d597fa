/**
 * Email over SMTP with nodemailer, from `LATCHKEY_SMTP_URL`:
 * - `smtps://user:password@host:465` speaks TLS from the first byte; `smtp://…:587` (or 25) upgrades with STARTTLS
 *   whenever the server offers it. nodemailer's URL options pass through, e.g. `?requireTLS=true`,
 *   `?tls.rejectUnauthorized=false` (test servers only), `?tls.servername=mail.example.com`, `?pool=false`.
 * - DKIM signing when a key is configured (PEM text, or the path of a file holding it).
 * - Failures are sorted into permanent (5xx replies, refused credentials, an address that cannot be sent to) and
 *   transient (4xx replies, connection refused or reset, timeouts, TLS trouble); the error text holds the reply code
 *   and the server's reply line, never the message body or its link.
 * - Every wait has a limit (connection, greeting, silence on the socket, and the whole send), so a server that stalls
 *   costs one attempt, never a worker slot for good. A send that ends without the server's 250 (a dropped connection,
 *   a timeout after DATA) is a transient failure: the outbox sends it again, and if the server had in fact taken the
 *   message, it arrives twice. That is the at-least-once promise; the stable Message-ID lets a receiver tell.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { domainToASCII } from 'node:url';
import type { NodemailerError, SendMailOptions } from 'nodemailer';
import { loadNodemailer } from '../../config/optional-modules.js';
import type { DeliveryResult, EmailTransport, OutgoingEmail, VerifyResult } from '../message.js';
import { breaksHeader, clip, scrub } from './scrub.js';

/**
 * The limits in milliseconds may also be set in the URL's query with nodemailer's names (`?connectionTimeout=`,
 * `?greetingTimeout=`, `?socketTimeout=`); nodemailer reads the query last, so a value there wins over the option.
 */
export interface SmtpTransportOptions {
  /** `smtp://` or `smtps://`, with the login in the user info and nodemailer options in the query. */
  url: string;
  dkim?: { domain: string; selector: string; privateKey: string } | undefined;
  /** Opening the TCP (for smtps://, also TLS) connection. Default 10 s. */
  connectionTimeoutMs?: number | undefined;
  /** From the connection to the server's 220 greeting. Default 10 s. */
  greetingTimeoutMs?: number | undefined;
  /** Silence on an open connection, e.g. no reply after the message was sent. Default 30 s. */
  socketTimeoutMs?: number | undefined;
  /**
   * One send, start to end, gives up after this long (it is then retried as a transient failure), even against a
   * server that trickles replies slowly enough to keep the socket timeout at bay. Default 45 s.
   */
  sendTimeoutMs?: number | undefined;
}

/** The limits in force, in milliseconds. */
export interface SmtpTimeouts {
  connectionMs: number;
  greetingMs: number;
  socketMs: number;
  sendMs: number;
}

// Long enough for a slow server across the world; the send limit stays below the outbox lease (60 s by default),
// so a message is never claimed by a second worker while the first is still waiting for its server.
const DEFAULT_TIMEOUTS: SmtpTimeouts = {
  connectionMs: 10_000,
  greetingMs: 10_000,
  socketMs: 30_000,
  sendMs: 45_000,
};

/** The limits a transport made with `options` works with: the URL's query, else the options, else the defaults. */
export function smtpTimeouts(options: SmtpTransportOptions): SmtpTimeouts {
  const query = queryOf(options.url);
  const pick = (name: string, option: number | undefined, fallback: number) =>
    positive(query.get(name)) ?? option ?? fallback;
  return {
    connectionMs: pick('connectionTimeout', options.connectionTimeoutMs, DEFAULT_TIMEOUTS.connectionMs),
    greetingMs: pick('greetingTimeout', options.greetingTimeoutMs, DEFAULT_TIMEOUTS.greetingMs),
    socketMs: pick('socketTimeout', options.socketTimeoutMs, DEFAULT_TIMEOUTS.socketMs),
    sendMs: options.sendTimeoutMs ?? DEFAULT_TIMEOUTS.sendMs,
  };
}

function queryOf(url: string): URLSearchParams {
  try {
    return new URL(url).searchParams;
  } catch {
    return new URLSearchParams();
  }
}

/** A number nodemailer would use as a limit (it takes any numeric query value), else undefined. */
function positive(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

/** `30 s`, `0.3 s`: a limit as a person reads it. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/** Where the URL points and the login it carries, for messages (the password only to keep it out of them). */
interface Endpoint {
  /** `host:port`, as a person would type it. */
  hostPort: string;
  host: string;
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
}

/**
 * Throws an Error naming LATCHKEY_DKIM_PRIVATE_KEY when the DKIM key is neither PEM nor a readable file holding PEM,
 * so a bad key stops the start rather than every message.
 */
export function createSmtpTransport(options: SmtpTransportOptions): EmailTransport {
  const endpoint = parseEndpoint(options.url);
  const timeouts = smtpTimeouts(options);
  const transporter = loadNodemailer().createTransport({
    url: options.url,
    pool: true,
    maxConnections: 5,
    maxRequeues: 2,
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    dnsTimeout: timeouts.connectionMs,
    logger: false,
    disableFileAccess: true,
    disableUrlAccess: true,
    dkim: options.dkim
      ? {
          domainName: options.dkim.domain,
          keySelector: options.dkim.selector,
          privateKey: loadDkimKey(options.dkim.privateKey),
        }
      : undefined,
  });
  // A pool emits 'error' for a connection that fails outside a send; the send's own callback reports it.
  transporter.on('error', () => {});

  async function send(message: OutgoingEmail): Promise<DeliveryResult> {
    const problem = messageProblem(message);
    if (problem) return { ok: false, permanent: true, error: `SMTP: not sent, ${problem}` };
    const mail: SendMailOptions = {
      from: message.from.name
        ? { name: message.from.name, address: message.from.address }
        : message.from.address,
      to: { name: '', address: message.to },
      envelope: { from: message.from.address, to: [message.to] },
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: messageIdFor(message),
      headers: { 'X-Latchkey-Message-Id': message.id, 'Auto-Submitted': 'auto-generated' },
      signal: AbortSignal.timeout(timeouts.sendMs),
    };
    try {
      const info = await transporter.sendMail(mail);
      return {
        ok: true,
        providerId: info.serverMessageId ? clip(info.serverMessageId, 200) : undefined,
        // The server's reply to the message (`250 2.0.0 Ok: queued as …`), for the attempt log; scrubbed like a
        // failure, since a server may quote the envelope back.
        answer:
          typeof info.response === 'string' && info.response.trim() !== ''
            ? hideSecret(
                scrub(
                  replyLine(info.response),
                  [message.text, message.html],
                  [message.to, message.from.address, message.subject],
                ),
                endpoint,
              )
            : undefined,
        // sendMail resolves once the server answered 250 to the message; `accepted` lists the recipients it took.
        accepted: info.accepted.length > 0 && info.rejected.length === 0,
      };
    } catch (error) {
      const failure = describeSendFailure(error as NodemailerError, endpoint, timeouts);
      return {
        ok: false,
        permanent: failure.permanent,
        error: hideSecret(
          scrub(
            failure.error,
            [message.text, message.html],
            [message.to, message.from.address, message.subject],
          ),
          endpoint,
        ),
      };
    }
  }

  async function verify(): Promise<VerifyResult> {
    try {
      await transporter.verify();
    } catch (error) {
      return {
        ok: false,
        problem: hideSecret(explainVerifyFailure(error as NodemailerError, endpoint, timeouts), endpoint),
      };
    }
    return {
      ok: true,
      detail:
        endpoint.user !== undefined
          ? `Connected to ${endpoint.hostPort} and the server accepted the login.`
          : `Connected to ${endpoint.hostPort}. LATCHKEY_SMTP_URL has no user name, so no login was tried; if the server wants one, sending will fail until you add smtp://user:password@….`,
    };
  }

  async function close(): Promise<void> {
    transporter.close();
  }

  return { name: 'smtp', send, verify, close };
}

/** The key as PEM: the value itself when it is PEM, else the content of the file it names. */
export function loadDkimKey(value: string): string {
  const trimmed = value.trim();
  let pem: string;
  let source: string;
  if (trimmed.startsWith('-----BEGIN')) {
    // A key pasted into an environment file often has its line breaks written as \n.
    pem = trimmed.includes('\\n') ? trimmed.replace(/\\n/g, '\n') : trimmed;
    source = 'LATCHKEY_DKIM_PRIVATE_KEY';
  } else if (isFile(value)) {
    try {
      pem = readFileSync(value, 'utf8');
    } catch {
      throw new Error(`LATCHKEY_DKIM_PRIVATE_KEY names the file ${value}, which cannot be read.`);
    }
    source = `The file ${value} named by LATCHKEY_DKIM_PRIVATE_KEY`;
  } else {
    pem = value;
    source = 'LATCHKEY_DKIM_PRIVATE_KEY';
  }
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ed25519') {
      throw new Error('unsupported key type');
    }
  } catch {
    throw new Error(
      source === 'LATCHKEY_DKIM_PRIVATE_KEY'
        ? 'LATCHKEY_DKIM_PRIVATE_KEY must be an RSA or Ed25519 private key in PEM form, or the path of a file holding one.'
        : `${source} does not hold an RSA or Ed25519 private key in PEM form.`,
    );
  }
  return pem;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function parseEndpoint(url: string): Endpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return {
      hostPort: 'the host in LATCHKEY_SMTP_URL',
      host: '',
      secure: false,
      user: undefined,
      password: undefined,
    };
  }
  const secure = parsed.protocol === 'smtps:';
  const host = parsed.hostname || 'localhost';
  const port = parsed.port || (secure ? '465' : '587');
  return {
    hostPort: `${host}:${port}`,
    host,
    secure,
    user: parsed.username ? safeDecode(parsed.username) : undefined,
    password: parsed.password ? safeDecode(parsed.password) : undefined,
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Belt and braces: no message ever carries the password, decoded or as written in the URL. */
function hideSecret(text: string, endpoint: Endpoint): string {
  const password = endpoint.password;
  if (password === undefined || password.length < 4) return text;
  let result = text;
  for (const form of new Set([password, encodeURIComponent(password)])) {
    result = result.split(form).join('***');
  }
  return result;
}

// Plain addresses only: no display names, lists, comments or quoting, which the transport adds itself.
const PLAIN_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;

/** Why a message cannot be written as a mail at all (header injection, odd addresses), or undefined. */
function messageProblem(message: OutgoingEmail): string | undefined {
  const fields: Array<[string, string]> = [
    ['the message id', message.id],
    ['the recipient address', message.to],
    ['the sender address', message.from.address],
    ['the sender name', message.from.name ?? ''],
    ['the subject', message.subject],
  ];
  for (const [what, value] of fields) {
    if (breaksHeader(value)) return `${what} contains a line break`;
  }
  if (!PLAIN_ADDRESS.test(message.to)) return 'the recipient address is not a single plain email address';
  if (!PLAIN_ADDRESS.test(message.from.address))
    return 'the sender address is not a single plain email address';
  if (message.id.length === 0) return 'the message has no id';
  return undefined;
}

/** `<msg_…@sender-domain>`: stable across retries, so a receiver can tell a retried message from a new one. */
function messageIdFor(message: OutgoingEmail): string {
  const local = message.id.replace(/[^A-Za-z0-9._-]/g, '_');
  const domain = domainToASCII(message.from.address.slice(message.from.address.lastIndexOf('@') + 1));
  return `<${local}@${domain || 'latchkey.invalid'}>`;
}

/** Reply codes RFC 5321 makes permanent that still deserve another try (see isPermanentReply). */
function isPermanentReply(code: number): boolean {
  if (code < 500 || code >= 600) return false;
  // 503: bad sequence of commands, a session in the wrong state rather than a refused message.
  // 552: RFC 5321 4.5.3.1.10 asks clients to treat it as temporary (storage full, too many recipients).
  return code !== 503 && code !== 552;
}

/** The server's reply as one line: `550 5.1.1 No such user`, the code once, continuation lines joined. */
function replyLine(response: string): string {
  const lines = response.split(/\r?\n/).filter((line) => line.trim() !== '');
  const code = /^\d{3}/.exec(lines[0] ?? '')?.[0];
  const text = lines.map((line) => line.replace(/^\d{3}(?:[ -]|$)/, '').trim()).join(' ');
  return code ? `${code} ${text}`.trim() : text;
}

/** The step of the session a reply answered, as a person would look for it in the server's log. */
function answeredStep(error: NodemailerError): string {
  // nodemailer marks both DATA's own reply and the one after the message's final dot as DATA; EMESSAGE is the latter.
  if (error.code === 'EMESSAGE') return 'the message after DATA';
  const command = error.command;
  return command && command !== 'CONN' && command !== 'API' ? command : 'the connection';
}

/**
 * Connection errors from the operating system that mean the server's end went away mid-session (it closed or
 * reset the connection), as opposed to never having been reached.
 */
const CUT_OFF = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

function describeSendFailure(
  error: NodemailerError,
  endpoint: Endpoint,
  timeouts: SmtpTimeouts,
): { permanent: boolean; error: string } {
  const at = endpoint.hostPort;
  if (typeof error.responseCode === 'number' && typeof error.response === 'string') {
    const permanent = isPermanentReply(error.responseCode);
    return {
      permanent,
      // The kind before the reply: a long reply is clipped at its end, never the part that says what to expect.
      error: `SMTP ${at} refused ${answeredStep(error)} (${permanent ? 'permanent' : 'temporary'}): ${replyLine(error.response)}`,
    };
  }
  const code = error.code ?? 'ERROR';
  const system = error.originalCode ?? '';
  if (system === 'ECONNREFUSED') {
    return { permanent: false, error: `SMTP: nothing is listening at ${at} (ECONNREFUSED)` };
  }
  if ((code === 'ECONNECTION' && system === '') || CUT_OFF.has(system)) {
    return { permanent: false, error: `SMTP ${at} ${cutOff(error, system)}` };
  }
  switch (code) {
    case 'EABORT':
      return {
        permanent: false,
        error: `SMTP: no 250 reply from ${at} within ${seconds(timeouts.sendMs)}, the limit for one send; the message may have arrived anyway`,
      };
    case 'ETIMEDOUT':
      return { permanent: false, error: timedOut(error, at, timeouts) };
    case 'EENVELOPE':
    case 'EMESSAGE':
    case 'EMAXRECIPIENTS':
    case 'ECONFIG':
    case 'EAUTH':
    case 'ENOAUTH':
    case 'EREQUIRETLS':
      // Refused on our side before the server said anything: sending the same message again gives the same.
      return { permanent: true, error: `SMTP ${code}: ${firstLine(error.message)}` };
    default: {
      const cause = system ? `${code}/${system}` : code;
      // TLS errors carry OpenSSL's internals in the message and the words in `reason`.
      const reason = (error as { reason?: unknown }).reason;
      const words = typeof reason === 'string' && reason.length > 0 ? reason : firstLine(error.message);
      return { permanent: false, error: `SMTP ${cause} with ${at}: ${words}` };
    }
  }
}

/** The server closed or reset the connection without a reply: whatever it had of the message is unconfirmed. */
function cutOff(error: NodemailerError, system: string): string {
  // nodemailer reopens a connection closed before the greeting a few times itself, and then says so.
  const detail = system || (/maximum number of retries/i.test(error.message) ? 'on every try' : '');
  return `closed the connection before confirming the message (no 250 reply${detail ? `; ${detail}` : ''}); it may have arrived anyway`;
}

function timedOut(error: NodemailerError, at: string, timeouts: SmtpTimeouts): string {
  switch (error.timeoutType) {
    case 'CONNECT_TIMEOUT':
      return `SMTP: could not connect to ${at} within ${seconds(timeouts.connectionMs)} (connectionTimeout)`;
    case 'GREETING_TIMEOUT':
      return `SMTP: connected to ${at}, but no greeting came within ${seconds(timeouts.greetingMs)} (greetingTimeout)`;
    case 'UPGRADE_TIMEOUT':
      return `SMTP: the STARTTLS upgrade with ${at} did not finish within ${seconds(timeouts.greetingMs)} (greetingTimeout)`;
    case 'SOCKET_TIMEOUT':
      return `SMTP ${at} went silent for ${seconds(timeouts.socketMs)} (socketTimeout) before confirming the message (no 250 reply); it may have arrived anyway`;
    default:
      return `SMTP ETIMEDOUT with ${at}: ${firstLine(error.message)}`;
  }
}

function firstLine(text: string | undefined): string {
  return clip((text ?? '').split(/\r?\n/)[0] ?? '');
}

const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);

/** What went wrong with the SMTP connection, in words that say what to check. Never contains the password. */
function explainVerifyFailure(error: NodemailerError, endpoint: Endpoint, timeouts: SmtpTimeouts): string {
  const at = endpoint.hostPort;
  const system = error.originalCode ?? error.code ?? '';
  const reply =
    typeof error.response === 'string' ? ` The server said: ${clip(replyLine(error.response), 200)}` : '';
  if (system === 'ECONNREFUSED') {
    return `Nothing is listening at ${at}. Is the mail server running, and is LATCHKEY_SMTP_URL right?`;
  }
  if (system === 'ENOTFOUND') {
    return `The host name "${endpoint.host}" was not found (DNS knows no such host). Check the host in LATCHKEY_SMTP_URL.`;
  }
  if (system === 'EAI_AGAIN' || error.code === 'EDNS') {
    return `The host name "${endpoint.host}" could not be looked up just now (${system || 'DNS error'}). Check this machine's DNS settings and the host in LATCHKEY_SMTP_URL.`;
  }
  if (error.code === 'ETIMEDOUT' || system === 'ETIMEDOUT') {
    // An ETIMEDOUT from the operating system (no timeoutType) is a connect that never completed.
    switch (error.timeoutType ?? (error.code === 'ETIMEDOUT' ? 'SOCKET_TIMEOUT' : 'CONNECT_TIMEOUT')) {
      case 'CONNECT_TIMEOUT':
        return `No answer from ${at} within ${seconds(timeouts.connectionMs)}. A firewall may be dropping the connection, or the host or port in LATCHKEY_SMTP_URL is wrong (outgoing port 25 is often blocked; try 587 or 465).`;
      case 'GREETING_TIMEOUT':
        return `Connected to ${at}, but no SMTP greeting came within ${seconds(timeouts.greetingMs)}. ${
          endpoint.secure
            ? 'Is this really an SMTP server at that port?'
            : 'If the server expects TLS from the start (usually port 465), use smtps:// in LATCHKEY_SMTP_URL; otherwise check the port.'
        }`;
      case 'UPGRADE_TIMEOUT':
        return `Connected to ${at}, but the TLS upgrade (STARTTLS) did not finish in time. Check the server's TLS setup, or try smtps:// on port 465.`;
      default:
        return `The connection to ${at} went silent (timed out after ${seconds(timeouts.socketMs)}). Check the network between here and the mail server.`;
    }
  }
  if (error.code === 'EAUTH' || error.code === 'ENOAUTH') {
    if (endpoint.user === undefined) {
      return `${at} wants a login, but LATCHKEY_SMTP_URL has no user name and password (smtp://user:password@host:port).${reply}`;
    }
    if (typeof error.responseCode !== 'number') {
      return `Could not log in to ${at}: ${firstLine(error.message)}. Check the user name and password in LATCHKEY_SMTP_URL.`;
    }
    return `${at} refused the user name "${endpoint.user}" or its password. Check them in LATCHKEY_SMTP_URL (special characters in the password must be percent-encoded, e.g. @ as %40).${reply}`;
  }
  if (system === 'CERT_HAS_EXPIRED') {
    return `The TLS certificate of ${at} has expired. Renew it on the mail server (only for a test server: add ?tls.rejectUnauthorized=false to LATCHKEY_SMTP_URL).`;
  }
  if (system === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `The TLS certificate of ${at} is for a different host name. Use the host name the certificate names in LATCHKEY_SMTP_URL (or set ?tls.servername=<that name>).`;
  }
  if (UNTRUSTED_CERTIFICATE.has(system)) {
    return `The TLS certificate of ${at} is not trusted (${system}): it is self-signed or its issuer is unknown. Give the mail server a certificate from a public CA, or start Latchkey with NODE_EXTRA_CA_CERTS=<your CA file>; only for a test server, add ?tls.rejectUnauthorized=false to LATCHKEY_SMTP_URL.`;
  }
  if (system === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/i.test(error.message)) {
    return `${at} does not speak TLS from the first byte. Use smtps:// only for implicit TLS (usually port 465); for ports 587 and 25 use smtp://, which upgrades with STARTTLS when the server offers it.`;
  }
  if (error.code === 'ETLS' || system.startsWith('ERR_SSL') || system.startsWith('ERR_TLS')) {
    return `The TLS handshake with ${at} failed (${clip(firstLine(error.message), 120)}). Check the server's TLS setup and whether the URL should be smtp:// (STARTTLS) or smtps:// (implicit TLS).`;
  }
  if (system === 'ECONNRESET' || system === 'EPIPE' || error.code === 'ECONNECTION') {
    return `${at} closed the connection before the check finished. Is it an SMTP server, and does it accept connections from this machine?${reply}`;
  }
  if (system === 'EHOSTUNREACH' || system === 'ENETUNREACH') {
    return `${at} cannot be reached from this machine (${system}). Check the host in LATCHKEY_SMTP_URL and the network.`;
  }
  if (typeof error.responseCode === 'number') {
    return `${at} refused the connection check.${reply}`;
  }
  return `Could not check the SMTP connection to ${at}: ${system ? `${system}, ` : ''}${firstLine(error.message)}`;
}
