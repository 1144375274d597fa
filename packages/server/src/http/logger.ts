import { type DestinationStream, type LogFn, type Logger, pino } from 'pino';

/**
 * Secrets travel in URLs (`/l/{token}`, `/login/{jwt}`, `?lk_code=`), in the Authorization header and in cookies,
 * and people and programs put them in the wrong place too: a token pasted into a mistyped path, an API key in a
 * query string. The request serializer rewrites every URL, pino's redaction drops the headers, and messages and
 * errors are scrubbed as they are written, so no log line can carry one. Ids (`usr_01h…`) and words stay readable.
 */
const REDACTED = '[redacted]';

// The link of a hosted sign-in message (`/login/link/{token}`), then `/l/{token}`, `/login/{jwt}` and the path form
// `/apps/{app_id}/login/{jwt}`; the login page's own steps (`/login/check`, `/code`, `/finish`) carry no secret.
// These positions are hidden whatever they hold, even a token too short or mangled to look like one.
const SECRET_PATHS = [
  /^(\/login\/link\/)[^/?#]+/,
  /^((?:\/apps\/[^/?#]+)?\/(?:l|login)\/)(?!(?:check|code|finish)(?:[/?#]|$))[^/?#]+/,
];

/** A run of base64url characters: what tokens, keys and JWT parts are made of. */
const RUN = /[A-Za-z0-9_-]+/g;
/** Three dot-separated base64url parts: a JWT (or a JWS of any kind), even one without the usual `eyJ` header. */
const JWT_SHAPE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
/** Our ids: a short prefix and a lower-case ULID. They name records, never grant access, and make logs useful. */
const ID_SHAPE = /^[a-z]{2,10}_[0-9a-hjkmnp-tv-z]{26}$/;
/** Our own secrets announce themselves: API keys `lk_sk_…`/`lk_admin_…`, refresh tokens `lk_rt_…`, `whsec_…`. */
const OUR_SECRET_PREFIX = /^(?:lk_[a-z]+_[A-Za-z0-9_-]{8,}|whsec_[A-Za-z0-9_-]{8,})/;

/**
 * Query parameter names that hold credentials, as words: `api_key`, `apiKey`, `X-Amz-Signature` and `Session` all
 * match on a word, `postcode` and `keyword` do not. Any name starting with `lk_` is ours and may hold a secret.
 */
const CREDENTIAL_WORDS = new Set([
  'auth',
  'authorization',
  'bearer',
  'code',
  'cookie',
  'credential',
  'credentials',
  'jwt',
  'key',
  'keys',
  'lk',
  'magic',
  'otp',
  'pass',
  'passcode',
  'passphrase',
  'passwd',
  'password',
  'pwd',
  'secret',
  'session',
  'sessionid',
  'sid',
  'sig',
  'signature',
  'ticket',
  'token',
  'tokens',
  'verifier',
]);
/** Words that end like a credential name written without separators: `accesstoken`, `clientsecret`, `apikey`. */
const CREDENTIAL_ENDINGS = /(?:token|secret|password|apikey|accesskey|privatekey|jwt)$/;

export function redactUrl(url: string): string {
  const known = SECRET_PATHS.find((pattern) => pattern.test(url));
  const hidden = known ? url.replace(known, `$1${REDACTED}`) : url;
  const hash = hidden.indexOf('#');
  const beforeHash = hash < 0 ? hidden : hidden.slice(0, hash);
  // A fragment rarely reaches a server, but when it does it is where implicit-flow tokens sit (`#access_token=`).
  const fragment = hash < 0 ? '' : `#${redactQuery(hidden.slice(hash + 1))}`;
  const question = beforeHash.indexOf('?');
  if (question < 0) return redactPath(beforeHash) + fragment;
  return `${redactPath(beforeHash.slice(0, question))}?${redactQuery(beforeHash.slice(question + 1))}${fragment}`;
}

function redactPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (looksSecret(segment) ? REDACTED : segment))
    .join('/');
}

function redactQuery(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return looksSecret(pair) ? REDACTED : pair;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || value === REDACTED) return pair;
      return isCredentialName(name) || looksSecret(value) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

function isCredentialName(encoded: string): boolean {
  const words = decode(encoded)
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  return words.some((word) => CREDENTIAL_WORDS.has(word) || CREDENTIAL_ENDINGS.test(word));
}

/** Whether a path segment or query value holds something shaped like a secret, as sent or percent-decoded. */
function looksSecret(text: string): boolean {
  if (text === '' || text === REDACTED) return false;
  const decoded = decode(text);
  return hasSecret(text) || (decoded !== text && hasSecret(decoded));
}

function hasSecret(text: string): boolean {
  JWT_SHAPE.lastIndex = 0;
  if (JWT_SHAPE.test(text)) return true;
  for (const [run] of text.matchAll(RUN)) if (isSecretRun(run)) return true;
  return false;
}

/**
 * One base64url run. Random secrets are long and mix character classes; words and our ids do not. A run of 20 or
 * more that mixes upper case, lower case and digits, or of 32 or more that mixes any two, is taken for a secret
 * (a 43-character token misses both with a chance below one in a billion); so are long hex runs (hashes, UUIDs),
 * base64-encoded JSON (`eyJ…`, a JWT part) and our own prefixed secrets.
 */
function isSecretRun(run: string): boolean {
  if (ID_SHAPE.test(run)) return false;
  if (OUR_SECRET_PREFIX.test(run)) return true;
  if (run.startsWith('eyJ') && run.length >= 10) return true;
  if (/^[0-9a-fA-F-]+$/.test(run) && run.replace(/-/g, '').length >= 32) return true;
  if (run.length < 20) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((pattern) => pattern.test(run)).length;
  return classes === 3 || (run.length >= 32 && classes >= 2);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A path or URL inside free text: from a slash to the next space or quote. */
const URL_IN_TEXT = /\/[^\s"'`<>()]*/g;

/**
 * Free text that may quote a URL or a secret: a log message, an error's message or stack. URLs in it are redacted as
 * above, and any other secret-shaped run is hidden too.
 */
export function redactText(text: string): string {
  const urls = text.replace(URL_IN_TEXT, (url) => redactUrl(url));
  return urls.replace(JWT_SHAPE, REDACTED).replace(RUN, (run) => (isSecretRun(run) ? REDACTED : run));
}

interface RequestLike {
  method?: string;
  url?: string;
  id?: string;
  ip?: string;
  headers?: Record<string, unknown>;
}

/** Keys of an error that hold the raw bytes of a request (Node's parser errors): never worth a secret in the log. */
const RAW_KEYS = new Set(['rawPacket']);

/** Strings scrubbed, raw request bytes dropped, a few levels deep (an error's `cause` is an object too). */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!RAW_KEYS.has(key)) out[key] = scrub(item, depth + 1);
  }
  return out;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.token',
          '*.refresh_token',
          '*.secret',
          '*.api_key',
        ],
        censor: REDACTED,
      },
      hooks: {
        // Messages are written by us and by Fastify ("Reply was already sent … in /l/…"): scrubbed as they are logged.
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg));
          return method.apply(this, scrubbed as Parameters<LogFn>);
        },
      },
      serializers: {
        req: (req: RequestLike) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url ?? ''),
          ip: req.ip,
          userAgent: req.headers?.['user-agent'],
        }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
        err: (error: Error) => scrub(pino.stdSerializers.err(error)),
      },
    },
    destination,
  );
}
