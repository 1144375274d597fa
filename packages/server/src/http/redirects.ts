import type { Reply } from './routes.js';

/**
 * Sends a browser on after a sign-in step: a 303 (the follow-up is a GET, whatever the form posted), never cached,
 * and with no Referer, since the page the browser leaves has a token in its URL.
 */
export function redirectAway(reply: Reply, location: string): Reply {
  return reply
    .code(303)
    .header('location', location)
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send();
}
