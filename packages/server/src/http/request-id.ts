/**
 * Every answer carries `X-Request-Id`, the id the request's log lines carry (`reqId`), so a client's bug report or a
 * proxy's log leads straight to them. A caller or a proxy in front may choose it, as long as it is a plain token: an
 * id of any other shape (too long, spaces, control or other characters a log or a header could be fooled with) is
 * replaced by one of ours and never repeated back.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the caller's id when it is well-formed, else `req_<uuid>`. */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && WELL_FORMED.test(given) ? given : newRequestId();
}

export function newRequestId(): string {
  return `req_${randomUUID()}`;
}
