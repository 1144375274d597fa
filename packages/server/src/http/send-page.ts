import { pageHeaders } from '../pages/layout.js';
import type { RenderedPage } from '../pages/render.js';
import type { Reply } from './routes.js';

/**
 * Answers with a rendered page: its status, the page headers (CSP with the page's nonce, no-store, the error code in
 * `Latchkey-Error-Code`) and its own referrer policy where it has one. `fetchSelf`: the page's script talks back to
 * this server (the login page's status polling).
 */
export function sendPage(reply: Reply, page: RenderedPage, options: { fetchSelf?: boolean } = {}): Reply {
  const headers = pageHeaders(page.nonce, {
    fetchSelf: options.fetchSelf ?? false,
    errorCode: page.errorCode,
  });
  if (page.referrerPolicy) headers['referrer-policy'] = page.referrerPolicy;
  return reply.code(page.status).headers(headers).send(page.html);
}
