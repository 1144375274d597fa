/**
 * Which URLs webhooks may be sent to. Events are POSTed by the server, so an endpoint URL is a request the server
 * makes on a caller's behalf (server-side request forgery): unless the operator allows it, an endpoint may not point
 * at loopback, private, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast or reserved
 * addresses, whether written as an IP address in any of its forms or as a name that resolves to one. Names are
 * resolved when the endpoint is saved and again before every delivery, since DNS can change in between; the
 * delivery's connection then goes only to addresses that were checked (see pinned-dispatcher.ts).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ApiError } from '../errors/api-error.js';

/** Resolves a host name to every address it has. Injectable (Context.resolveHost) so tests can steer DNS. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export const systemResolveHost: ResolveHost = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (AWS metadata fd00:ec2::254 is here)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // old site-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** IPv4 addresses carried inside IPv6 forms: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d), NAT64, 6to4. */
function embeddedIpv4(address: string): string | undefined {
  const words = expandIpv6(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && (words[5] === 0xffff || words[5] === 0)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return v4(words[6]!, words[7]!);
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (a trailing dotted IPv4 part included), or undefined. */
function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::', 2) as [string, string | undefined];
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((w) => Number.parseInt(w, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? 0 : 8 - left.length - right.length;
  const words = [...left, ...new Array<number>(Math.max(0, fill)).fill(0), ...right];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)
    ? words
    : undefined;
}

/** True for any address a webhook may not reach unless private destinations are allowed. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  if (blocked.check(address, 'ipv6')) return true;
  const inner = embeddedIpv4(address);
  return inner !== undefined && blocked.check(inner, 'ipv4');
}

const refuse = (message: string) => new ApiError('validation_failed', message, { param: 'url' });

/** Checks the form of an endpoint URL (scheme, no credentials) and answers it parsed. */
export function parseWebhookUrl(raw: string): URL {
  if (!URL.canParse(raw)) throw refuse('url must be an absolute http(s) URL.');
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw refuse('url must use http or https.');
  }
  if (url.username !== '' || url.password !== '') {
    throw refuse(
      'url must not hold credentials (user:password@); check the webhook-signature header instead.',
    );
  }
  return url;
}

/** The URL's host as the resolver and the socket see it: an IPv6 literal without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** Where a host may be reached: every address it resolved to, each one checked, or why it may not be reached. */
export type Destination = { addresses: string[]; problem?: undefined } | { problem: string };

/**
 * Resolves `host` once (an address is taken as it is) and checks every address it answers: all must be public
 * unless `allowPrivate`. A name that does not resolve is refused too. The addresses answered are the ones checked,
 * so a caller that connects only to them cannot be sent elsewhere by a second, different DNS answer.
 */
export async function resolveDestination(
  host: string,
  allowPrivate: boolean,
  resolveHost: ResolveHost,
): Promise<Destination> {
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await resolveHost(host);
    } catch {
      return { problem: `the host ${host} does not resolve` };
    }
    if (addresses.length === 0) return { problem: `the host ${host} does not resolve` };
  }
  const bad = allowPrivate ? undefined : addresses.find(isPrivateAddress);
  return bad === undefined
    ? { addresses }
    : {
        problem: `${host} is a loopback, private, link-local or reserved address (${bad}); such destinations are refused unless LATCHKEY_WEBHOOK_ALLOW_PRIVATE is set`,
      };
}

/**
 * The reason `url` may not be called now, or undefined when it may: every address its host resolves to must be
 * public (unless `allowPrivate`, when nothing is resolved). A name that does not resolve is refused too.
 */
export async function destinationProblem(
  url: URL,
  allowPrivate: boolean,
  resolveHost: ResolveHost,
): Promise<string | undefined> {
  if (allowPrivate) return undefined;
  return (await resolveDestination(hostOf(url), false, resolveHost)).problem;
}

/** For creating or changing an endpoint: the URL's form, then its destination. */
export async function checkWebhookUrl(
  raw: string,
  allowPrivate: boolean,
  resolveHost: ResolveHost,
): Promise<string> {
  const url = parseWebhookUrl(raw);
  const problem = await destinationProblem(url, allowPrivate, resolveHost);
  if (problem !== undefined) throw refuse(`url is not allowed: ${problem}.`);
  return url.href;
}
