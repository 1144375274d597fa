import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Secrets travel in URLs (`/l/{token}`, `/login/{jwt}`, `?lk_code=`), in the Authorization header and in cookies.
 * The request serializer rewrites URLs and pino's redaction drops the headers, so no log line can carry one.
 */
// `/l/{token}`, `/login/{jwt}` and the path form `/apps/{app_id}/login/{jwt}`.
const SECRET_PATH = /^((?:\/apps\/[^/?#]+)?\/(?:l|login)\/)[^/?#]+/;
const SECRET_QUERY = /([?&](?:lk_code|lk_token|token|code|code_verifier|refresh_token|magic_link)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PATH, '$1[redacted]').replace(SECRET_QUERY, '$1[redacted]');
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
