/**
 * The scanner rules: every entry of the table with a user agent it is meant for, the browsers people use never
 * taken for a scanner, and the "opened and never confirmed" rule read at a given time.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LinkVisitRow } from '../storage/rows.js';
import {
  CONFIRM_WINDOW_MS,
  classifyVisit,
  NEVER_CONFIRMED,
  readVisits,
  SCANNER_AGENTS,
  visitRow,
} from './link-visits.js';

/** A user agent each entry of SCANNER_AGENTS is there for, as such clients send it. */
const SEEN_IN_THE_WILD: Record<string, string> = {
  'Microsoft Defender / Safe Links':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b',
  Proofpoint: 'Proofpoint URL Defense',
  Mimecast: 'Mimecast-URL-Protect/1.0',
  Barracuda: 'Barracuda Sentinel (EE)',
  'Google link preview':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Google (+https://developers.google.com/+/web/snippet/)',
  Slackbot: 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)',
  Twitterbot: 'Twitterbot/1.0',
  facebookexternalhit: 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
  LinkedInBot: 'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
  Discordbot: 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)',
  TelegramBot: 'TelegramBot (like TwitterBot)',
  'WhatsApp preview': 'WhatsApp/2.23.20.0 A',
  'headless Chrome':
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
  curl: 'curl/8.5.0',
  Wget: 'Wget/1.21.4',
  'python-requests': 'python-requests/2.31.0',
  'Go HTTP client': 'Go-http-client/1.1',
  'Java HTTP client': 'Java/17.0.2',
  'a bot or crawler': 'Mozilla/5.0 (compatible; ExampleBot/2.1; +https://example.com/bot)',
};

/** What people's browsers send: none of it may read as a scanner. */
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  // A phone whose model name ends in "bot".
  'Mozilla/5.0 (Linux; Android 9; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  // Gmail's and Outlook's own apps open links in an in-app browser with their own marks.
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 GSA/310.0.620824484 Mobile/15E148 Safari/604.1',
];

describe('the scanner table', () => {
  it('has a user agent from the wild for every entry, and each is taken for that entry', () => {
    expect(Object.keys(SEEN_IN_THE_WILD).sort()).toEqual(SCANNER_AGENTS.map((a) => a.label).sort());
    for (const [label, agent] of Object.entries(SEEN_IN_THE_WILD)) {
      expect(classifyVisit('GET', agent), agent).toEqual({
        verdict: 'likely_scanner',
        reason: `known scanner user agent: ${label}`,
      });
    }
  });

  it.each(BROWSERS)('takes a browser for a person: %s', (agent) => {
    expect(classifyVisit('GET', agent)).toEqual({ verdict: 'person', reason: 'opened in a browser' });
    expect(classifyVisit('POST', agent)).toEqual({ verdict: 'person', reason: 'confirmed' });
  });

  it('takes every HEAD, and a request with no user agent, for a scanner', () => {
    expect(classifyVisit('HEAD', BROWSERS[0])).toEqual({ verdict: 'likely_scanner', reason: 'HEAD request' });
    expect(classifyVisit('GET', undefined)).toEqual({ verdict: 'likely_scanner', reason: 'no user agent' });
    expect(classifyVisit('POST', '  ')).toEqual({ verdict: 'likely_scanner', reason: 'no user agent' });
  });

  it('keeps at most 200 characters of the user agent, and no address', () => {
    const row = visitRow({ random: randomBytes }, { id: 'ml_x', app_id: 'app_x' }, 'GET', 'x'.repeat(500), 1);
    expect(row.user_agent).toHaveLength(200);
    expect(Object.keys(row).sort()).toEqual(
      ['app_id', 'at', 'id', 'link_id', 'method', 'reason', 'user_agent', 'verdict'].sort(),
    );
  });
});

describe('reading visits', () => {
  const at = 1_700_000_000_000;
  const visit = (method: LinkVisitRow['method'], when: number): LinkVisitRow =>
    visitRow({ random: randomBytes }, { id: 'ml_x', app_id: 'app_x' }, method, BROWSERS[0], when);

  it('reads a GET followed by no confirmation within the window as a scanner that never confirmed', () => {
    const get = visit('GET', at);
    expect(readVisits([get], { redeemed_at: null }, at + CONFIRM_WINDOW_MS - 1)[0]).toEqual(get);
    expect(readVisits([get], { redeemed_at: null }, at + CONFIRM_WINDOW_MS)[0]).toMatchObject({
      verdict: 'likely_scanner',
      reason: NEVER_CONFIRMED,
    });
  });

  it('keeps a GET a person when a POST or the redemption follows within the window', () => {
    const get = visit('GET', at);
    const later = at + 10 * CONFIRM_WINDOW_MS;
    expect(readVisits([visit('POST', at + 30_000), get], { redeemed_at: null }, later)[1]).toEqual(get);
    expect(readVisits([get], { redeemed_at: at + 30_000 }, later)[0]).toEqual(get);
    // A confirmation long after, or before, the GET does not count for it.
    expect(readVisits([get], { redeemed_at: at + CONFIRM_WINDOW_MS + 1 }, later)[0]?.reason).toBe(
      NEVER_CONFIRMED,
    );
    expect(readVisits([get, visit('POST', at - 1)], { redeemed_at: null }, later)[0]?.reason).toBe(
      NEVER_CONFIRMED,
    );
  });
});
