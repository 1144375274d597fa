/**
 * The connection a webhook delivery makes. Checking a name and then letting `fetch` resolve it again leaves a
 * window (DNS rebinding): a hostile DNS server answers a public address to the check and 127.0.0.1 or
 * 169.254.169.254 to the connection. Here the connection's own lookup resolves the name once, applies the address
 * policy to every address of that answer, and hands the socket exactly those addresses, so what is checked and
 * what is connected to are the same answer, whatever DNS says before or after.
 *
 * Only the address changes hands: undici still takes the TLS server name (SNI) and the name the certificate is
 * verified against from the URL's host, and the Host header is the URL's host too.
 *
 * The dispatcher comes from the `undici` package, major version 6: the same major as the undici that Node 20 (and
 * 22) bundle behind the global `fetch`, so the global fetch accepts it as its `dispatcher` option without a handler
 * mismatch (undici 8 dispatchers are refused by a version 6 fetch; Node 24's bundled version 7 accepts version 6).
 */
import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent } from 'undici';
import { type ResolveHost, resolveDestination } from './url-policy.js';

/** The `code` of the error a refused connection fails with (it is the `cause` of fetch's TypeError). */
export const DESTINATION_REFUSED = 'ERR_WEBHOOK_DESTINATION_REFUSED';

export class DestinationRefusedError extends Error {
  readonly code = DESTINATION_REFUSED;

  constructor(readonly problem: string) {
    super(`Refused: ${problem}.`);
    this.name = 'DestinationRefusedError';
  }
}

type LookupCallback = Parameters<LookupFunction>[2];

/**
 * A `lookup` for net/tls.connect that answers only addresses of `host` that pass the policy. Any other host name is
 * refused: the dispatcher is made for one delivery to one URL, and redirects are not followed.
 */
export function checkedLookup(host: string, allowPrivate: boolean, resolveHost: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    answer(hostname, options.family).then(
      (addresses) => reply(callback, addresses, options.all === true),
      (error: Error) => callback(error, ''),
    );
  };

  async function answer(hostname: string, family: number | string | undefined): Promise<string[]> {
    if (hostname !== host) {
      throw new DestinationRefusedError(
        `the connection asked for ${hostname}, not the endpoint's host ${host}`,
      );
    }
    const destination = await resolveDestination(hostname, allowPrivate, resolveHost);
    if (destination.problem !== undefined) throw new DestinationRefusedError(destination.problem);
    // Node asks for one family only when told to (autoSelectFamily off); otherwise it tries them all in turn.
    const wanted = family === 4 || family === 'IPv4' ? 4 : family === 6 || family === 'IPv6' ? 6 : 0;
    const addresses = destination.addresses.filter((a) => wanted === 0 || isIP(a) === wanted);
    if (addresses.length === 0) {
      throw Object.assign(new Error(`${host} has no IPv${wanted} address`), { code: 'ENOTFOUND' });
    }
    return addresses;
  }
}

function reply(callback: LookupCallback, addresses: string[], all: boolean): void {
  if (all) {
    callback(
      null,
      addresses.map((address): LookupAddress => ({ address, family: isIP(address) })),
    );
    return;
  }
  const [first] = addresses as [string];
  callback(null, first, isIP(first));
}

/**
 * A dispatcher for one delivery to `host`: its connections go only to addresses checked by `checkedLookup`. It
 * keeps no connection for later deliveries, so each delivery resolves and checks afresh; destroy it when done.
 * undici (about 800 KiB of JavaScript) is loaded with the first delivery: a server without webhooks never holds it.
 */
export async function pinnedDispatcher(
  host: string,
  allowPrivate: boolean,
  resolveHost: ResolveHost,
): Promise<Agent> {
  const { Agent } = await import('undici');
  return new Agent({ connect: { lookup: checkedLookup(host, allowPrivate, resolveHost) } });
}
