import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Secrets travel in URLs (`/l/{token}`, `/login/{jwt}`, `?lk_code=`), in the Authorization header and in cookies.
 * The request serializer rewrites URLs and pino's redaction drops the headers, so no log line can carry one.
 */
// The link of a hosted sign-in message (`/login/link/{token}`), then `/l/{token}`, `/login/{jwt}` and the path form
// `/apps/{app_id}/login/{jwt}`; the login page's own steps (`/login/check`, `/code`, `/finish`) carry no secret.
const SECRET_PATHS = [
  /^(\/login\/link\/)[^/?#]+/,
  /^((?:\/apps\/[^/?#]+)?\/(?:l|login)\/)(?!(?:check|code|finish)(?:[/?#]|$))[^/?#]+/,
];
const SECRET_QUERY = /([?&](?:lk_code|lk_token|token|code|code_verifier|refresh_token|magic_link)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  const path = SECRET_PATHS.find((pattern) => pattern.test(url));
  const hidden = path ? url.replace(path, '$1[redacted]') : url;
  return hidden.replace(SECRET_QUERY, '$1[redacted]');
}

interface RequestLike {
  method?: string;
  url?: string;
  id?: string;
  ip?: string;
  headers?: Record<string, unknown>;
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
        censor: '[redacted]',
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
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
