import type { Reply, Request } from '../http/routes.js';

/**
 * The cookie that tells "the browser that started this sign-in" from every other one. It holds a 256-bit secret
 * (the flows store its hash), is HttpOnly so no script reads it, SameSite=Lax so other sites' forms and requests
 * do not carry it, and Secure whenever the request came over HTTPS.
 */
export const BROWSER_COOKIE = 'lk_browser';
const MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export function readBrowserSecret(request: Request): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === BROWSER_COOKIE) return value.join('=');
  }
  return undefined;
}

export function setBrowserCookie(request: Request, reply: Reply, secret: string): void {
  const attributes = [
    `${BROWSER_COOKIE}=${secret}`,
    'Path=/',
    `Max-Age=${MAX_AGE_SECONDS}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (request.protocol === 'https') attributes.push('Secure');
  reply.header('set-cookie', attributes.join('; '));
}
