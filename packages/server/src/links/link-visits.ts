/**
 * Who opened a hosted link's page: a person, or likely a mail scanner or link preview. Every GET, HEAD and confirm
 * POST of a known hosted link is recorded with a verdict and a reason, so an operator can see that the 22-second
 * visit after sending came from Microsoft's scanner and the one an hour later from the person. The verdict is a
 * guess from what the request says about itself; the link is safe either way, since only the POST spends it.
 *
 * What is kept about a visitor: the method, the time and the user agent (cut to 200 characters). Not the address,
 * not even hashed: no rule below needs it (docs/decisions.md, "Visits").
 */
import { newId, type RandomBytes } from '../crypto/tokens.js';
import type { LinkVisitRow, MagicLinkRow } from '../storage/rows.js';
import type { VisitMethod, VisitVerdict } from '../storage/schema.js';

/**
 * User agents that fetch links on a person's behalf (mail security gateways, chat and social link previews) or
 * that are plain HTTP libraries and headless browsers, which a person clicking a link in their mail never is.
 * Matched anywhere in the User-Agent, case-insensitively; the first entry that matches names it. Many scanners pose as an ordinary browser; those are
 * caught, after the fact, by the "never confirmed" rule instead (`readVisits`).
 */
export const SCANNER_AGENTS: ReadonlyArray<{ label: string; pattern: RegExp }> = [
  // Safe Links and Defender fetch with Office's and Bing's agents, besides ones that look like a browser.
  {
    label: 'Microsoft Defender / Safe Links',
    pattern: /BingPreview|Microsoft Office|MSOffice|ms-office|Microsoft-WebDAV|SkypeUriPreview/i,
  },
  { label: 'Proofpoint', pattern: /proofpoint/i },
  { label: 'Mimecast', pattern: /mimecast/i },
  { label: 'Barracuda', pattern: /barracuda/i },
  {
    label: 'Google link preview',
    pattern:
      /Google-PageRenderer|Googlebot|Google-Safety|GoogleOther|developers\.google\.com\/\+\/web\/snippet/i,
  },
  { label: 'Slackbot', pattern: /Slackbot/i },
  // Telegram's says "TelegramBot (like TwitterBot)": the first entry that matches names it, so it comes first.
  { label: 'TelegramBot', pattern: /TelegramBot/i },
  { label: 'Twitterbot', pattern: /Twitterbot/i },
  { label: 'facebookexternalhit', pattern: /facebookexternalhit|Facebot/i },
  { label: 'LinkedInBot', pattern: /LinkedInBot/i },
  { label: 'Discordbot', pattern: /Discordbot/i },
  { label: 'WhatsApp preview', pattern: /^WhatsApp\//i },
  { label: 'headless Chrome', pattern: /HeadlessChrome/i },
  { label: 'curl', pattern: /^curl\//i },
  { label: 'Wget', pattern: /^Wget\//i },
  { label: 'python-requests', pattern: /python-requests|python-urllib|aiohttp/i },
  { label: 'Go HTTP client', pattern: /Go-http-client/i },
  { label: 'Java HTTP client', pattern: /^Java\/|Apache-HttpClient|okhttp/i },
  // Any other self-declared bot or crawler ("ExampleBot/1.0", "a crawler"); "bot" only as a word or before a
  // version, so a phone model such as "CUBOT" is not one.
  { label: 'a bot or crawler', pattern: /bot\/|\bbot\b|crawler|spider/i },
];

/** A GET that no confirmation follows within this long is reported as "opened and never confirmed". */
export const CONFIRM_WINDOW_MS = 5 * 60_000;

/** The longest user agent kept; real browsers' are about 150 characters. */
const USER_AGENT_MAX = 200;

export const NEVER_CONFIRMED = 'opened and never confirmed';

export interface Verdict {
  verdict: VisitVerdict;
  reason: string;
}

/** The verdict a request gets when it is recorded, from its method and user agent alone. */
export function classifyVisit(method: VisitMethod, userAgent: string | undefined): Verdict {
  // Link checkers ask with HEAD before (or instead of) fetching; a browser following a link never does.
  if (method === 'HEAD') return { verdict: 'likely_scanner', reason: 'HEAD request' };
  const agent = userAgent?.trim() ?? '';
  if (agent === '') return { verdict: 'likely_scanner', reason: 'no user agent' };
  const known = SCANNER_AGENTS.find((entry) => entry.pattern.test(agent));
  if (known) return { verdict: 'likely_scanner', reason: `known scanner user agent: ${known.label}` };
  return { verdict: 'person', reason: method === 'POST' ? 'confirmed' : 'opened in a browser' };
}

/** The row that records one request for a link's page. */
export function visitRow(
  ctx: { random: RandomBytes },
  link: Pick<MagicLinkRow, 'id' | 'app_id'>,
  method: VisitMethod,
  userAgent: string | undefined,
  now: number,
): LinkVisitRow {
  const { verdict, reason } = classifyVisit(method, userAgent);
  const agent = userAgent?.trim() ?? '';
  return {
    id: newId('vis', now, ctx.random),
    app_id: link.app_id,
    link_id: link.id,
    at: now,
    method,
    verdict,
    reason,
    user_agent: agent === '' ? null : agent.slice(0, USER_AGENT_MAX),
  };
}

/**
 * The visits as they read now (newest first, like `visits`): a GET that looked like a person's but was followed by
 * no confirmation within `CONFIRM_WINDOW_MS` (no POST, and the link not redeemed in that time) reads as a likely
 * scanner that opened the page and never confirmed. Derived at read time, never written back: a GET younger than the
 * window keeps its verdict until the window has passed.
 */
export function readVisits(
  visits: readonly LinkVisitRow[],
  link: Pick<MagicLinkRow, 'redeemed_at'>,
  now: number,
): LinkVisitRow[] {
  const confirmations = visits.filter((v) => v.method === 'POST').map((v) => v.at);
  if (link.redeemed_at !== null) confirmations.push(link.redeemed_at);
  return visits.map((visit) => {
    if (visit.method !== 'GET' || visit.verdict !== 'person') return visit;
    if (now - visit.at < CONFIRM_WINDOW_MS) return visit;
    const confirmed = confirmations.some((at) => at >= visit.at && at - visit.at <= CONFIRM_WINDOW_MS);
    return confirmed ? visit : { ...visit, verdict: 'likely_scanner', reason: NEVER_CONFIRMED };
  });
}
