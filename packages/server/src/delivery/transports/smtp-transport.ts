/**
 * Email over SMTP with nodemailer, from `LATCHKEY_SMTP_URL`:
 * - `smtps://user:password@host:465` speaks TLS from the first byte; `smtp://…:587` (or 25) upgrades with STARTTLS
 *   whenever the server offers it. nodemailer's URL options pass through, e.g. `?requireTLS=true`,
 *   `?tls.rejectUnauthorized=false` (test servers only), `?tls.servername=mail.example.com`, `?pool=false`.
 * - DKIM signing when a key is configured (PEM text, or the path of a file holding it).
 * - Failures are sorted into permanent (5xx replies, refused credentials, an address that cannot be sent to) and
 *   transient (4xx replies, connection refused or reset, timeouts, TLS trouble); the error text holds the reply code
 *   and the server's reply line, never the message body or its link.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { domainToASCII } from 'node:url';
import type { NodemailerError, SendMailOptions } from 'nodemailer';
import { loadNodemailer } from '../../config/optional-modules.js';
import type { DeliveryResult, EmailTransport, OutgoingEmail, VerifyResult } from '../message.js';
import { breaksHeader, clip, scrub } from './scrub.js';

export interface SmtpTransportOptions {
  /** `smtp://` or `smtps://`, with the login in the user info and nodemailer options in the query. */
  url: string;
  dkim?: { domain: string; selector: string; privateKey: string } | undefined;
  /** One send gives up after this long (it is then retried as a transient failure). Default 45 s. */
  sendTimeoutMs?: number | undefined;
}

const CONNECTION_TIMEOUT_MS = 10_000;
const GREETING_TIMEOUT_MS = 10_000;
const SOCKET_TIMEOUT_MS = 30_000;
const DEFAULT_SEND_TIMEOUT_MS = 45_000;

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
  const sendTimeoutMs = options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const transporter = loadNodemailer().createTransport({
    url: options.url,
    pool: true,
    maxConnections: 5,
    maxRequeues: 2,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    dnsTimeout: CONNECTION_TIMEOUT_MS,
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
      signal: AbortSignal.timeout(sendTimeoutMs),
    };
    try {
      const info = await transporter.sendMail(mail);
      return { ok: true, providerId: info.serverMessageId ? clip(info.serverMessageId, 200) : undefined };
    } catch (error) {
      const failure = describeSendFailure(error as NodemailerError, endpoint, sendTimeoutMs);
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
        problem: hideSecret(explainVerifyFailure(error as NodemailerError, endpoint), endpoint),
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

/** The server's reply as one line: `550 5.1.1 No such user`, continuation lines joined. */
function replyLine(response: string): string {
  return response.replace(/\r?\n\d{3}[ -]?/g, ' ');
}

function describeSendFailure(
  error: NodemailerError,
  endpoint: Endpoint,
  sendTimeoutMs: number,
): { permanent: boolean; error: string } {
  const code = error.code ?? 'ERROR';
  const command =
    error.command && error.command !== 'CONN' && error.command !== 'API' ? `${error.command} ` : '';
  if (typeof error.responseCode === 'number' && typeof error.response === 'string') {
    return {
      permanent: isPermanentReply(error.responseCode),
      error: `SMTP ${command}refused by ${endpoint.hostPort}: ${replyLine(error.response)}`,
    };
  }
  switch (code) {
    case 'EABORT':
      return {
        permanent: false,
        error: `SMTP: gave up after ${sendTimeoutMs / 1000} s waiting for ${endpoint.hostPort}`,
      };
    case 'ETIMEDOUT':
      return {
        permanent: false,
        error: `SMTP: ${endpoint.hostPort} did not answer in time (${error.timeoutType ?? 'ETIMEDOUT'})`,
      };
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
      const cause = error.originalCode ? `${code}/${error.originalCode}` : code;
      // TLS errors carry OpenSSL's internals in the message and the words in `reason`.
      const reason = (error as { reason?: unknown }).reason;
      const words = typeof reason === 'string' && reason.length > 0 ? reason : firstLine(error.message);
      return { permanent: false, error: `SMTP ${cause} with ${endpoint.hostPort}: ${words}` };
    }
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
function explainVerifyFailure(error: NodemailerError, endpoint: Endpoint): string {
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
        return `No answer from ${at} within ${CONNECTION_TIMEOUT_MS / 1000} s. A firewall may be dropping the connection, or the host or port in LATCHKEY_SMTP_URL is wrong (outgoing port 25 is often blocked; try 587 or 465).`;
      case 'GREETING_TIMEOUT':
        return `Connected to ${at}, but no SMTP greeting came within ${GREETING_TIMEOUT_MS / 1000} s. ${
          endpoint.secure
            ? 'Is this really an SMTP server at that port?'
            : 'If the server expects TLS from the start (usually port 465), use smtps:// in LATCHKEY_SMTP_URL; otherwise check the port.'
        }`;
      case 'UPGRADE_TIMEOUT':
        return `Connected to ${at}, but the TLS upgrade (STARTTLS) did not finish in time. Check the server's TLS setup, or try smtps:// on port 465.`;
      default:
        return `The connection to ${at} went silent (timed out after ${SOCKET_TIMEOUT_MS / 1000} s). Check the network between here and the mail server.`;
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
