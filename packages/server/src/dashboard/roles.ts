/**
 * What each role may do in the dashboard, decided from the route alone (method and pattern), before the request's
 * body is read. The dashboard calls the same routes the API offers, so this is the one place where an operator's
 * role narrows them: viewer reads; operator also makes links, users and campaigns; admin changes everything but
 * operators and keys; owner everything. A few changes also need a code entered in the last five minutes.
 */
import type { OperatorRole } from '../storage/schema.js';

export type Permission = 'read' | 'operate' | 'configure' | 'own' | 'never';

const GRANTS: Record<OperatorRole, ReadonlySet<Permission>> = {
  viewer: new Set(['read']),
  operator: new Set(['read', 'operate']),
  admin: new Set(['read', 'operate', 'configure']),
  owner: new Set(['read', 'operate', 'configure', 'own']),
};

export function mayDo(role: OperatorRole, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

/** The dashboard's copy of the API lives under this prefix; its own routes (session, operators) too. */
export const DASHBOARD_API = '/dashboard/api';

const SAFE = new Set(['GET', 'HEAD']);

/**
 * Backend-to-backend calls a person has no use for in a dashboard, and that would spend a person's link or code:
 * the dashboard never makes them.
 */
const NEVER = new Set([
  'POST /v1/magic-links/redeem',
  'POST /v1/sessions/exchange',
  'POST /v1/sessions/refresh',
]);

/**
 * What making links, users and campaigns takes (the operator role), by route. Retrying a failed message is here:
 * it sends the person the link they were meant to get, no more than an operator may do by making a new one.
 */
const OPERATE = [
  /^POST \/v1\/magic-links$/,
  /^POST \/v1\/outbox\/:message_id\/retry$/,
  /^POST \/v1\/apps\/:app_id\/magic-links$/,
  /^POST \/v1\/magic-links\/bulk$/,
  /^POST \/v1\/campaigns\/:campaign_id\/revoke$/,
  /^POST \/v1\/magic-links\/:link_id\/revoke$/,
  /^(POST|PATCH|DELETE) \/v1\/users(\/:user_id)?$/,
  /^POST \/v1\/users\/:user_id\/magic-links\/revoke$/,
  /^(POST \/v1\/sessions\/:session_id\/revoke|DELETE \/v1\/sessions\/:session_id)$/,
  // Links: sending a link again makes a new one like it and revokes the old.
  /^POST \/v1\/magic-links\/:link_id\/resend$/,
];

/**
 * POSTs that change nothing: they only carry input too long or too secret for a query string (a URL to test, a new
 * link's URL to draw as a QR code). Whoever may read may call them.
 */
const READS_BY_POST = [
  /^POST \/v1\/(apps\/:app_id\/)?redirect-check$/,
  /^POST \/v1\/qr$/,
  // A template preview renders a draft and stores nothing: the Templates editor calls it as the operator types,
  // and New link shows the message a link is sent in, rendered with sample data.
  /^POST \/v1\/templates\/preview$/,
];

/** Keys (API, signing, session) and operators: the owner's. */
const OWN = [/^\S+ \/v1\/(api-keys|signing-keys|session-keys)(\/|$)/, /^\S+ \/operators(\/|$)/];

/** Reads that still hold secrets: the development outbox prints live links. */
const SENSITIVE_READS = [/^GET \/v1\/dev\/outbox$/];

/**
 * Changes that need a fresh code: a new key or secret shown once, rotating one, operators, bulk sends, and every
 * delete.
 */
const REAUTH = [
  /^POST \/v1\/(api-keys|signing-keys)$/,
  /^POST \/v1\/session-keys\/rotate$/,
  /^POST \/v1\/webhook-endpoints(\/:id\/rotate-secret)?$/,
  /^(POST|PATCH|DELETE) \/operators(\/|$)/,
  /^POST \/v1\/magic-links\/bulk$/,
  /^DELETE /,
];

export interface RouteRule {
  permission: Permission;
  /** The change needs a code from the last five minutes. */
  reauth: boolean;
  /** The call may change something, so it goes in the audit log; reads, reads by POST and dry runs do not. */
  audited: boolean;
}

/**
 * The rule of a route as registered (`/dashboard/api/v1/users/:user_id`) for `method`. `query` is the raw query
 * string, read only to tell a bulk dry run from a real run.
 */
export function ruleFor(method: string, route: string, query = ''): RouteRule {
  const path = route.startsWith(DASHBOARD_API) ? route.slice(DASHBOARD_API.length) || '/' : route;
  const name = `${method === 'HEAD' ? 'GET' : method} ${path}`;
  if (NEVER.has(name)) return { permission: 'never', reauth: false, audited: false };
  const reauth = !SAFE.has(method) && REAUTH.some((pattern) => pattern.test(name));
  if (OWN.some((pattern) => pattern.test(name)) && !SAFE.has(method))
    return { permission: 'own', reauth, audited: true };
  if (SAFE.has(method)) {
    return {
      permission: SENSITIVE_READS.some((pattern) => pattern.test(name)) ? 'configure' : 'read',
      reauth,
      audited: false,
    };
  }
  // The session's own calls (sign out, re-authenticate) are every signed-in operator's.
  if (/^POST \/auth\//.test(name)) return { permission: 'read', reauth: false, audited: false };
  if (READS_BY_POST.some((pattern) => pattern.test(name)))
    return { permission: 'read', reauth: false, audited: false };
  if (OPERATE.some((pattern) => pattern.test(name)))
    return { permission: 'operate', reauth, audited: !isDryRun(name, query) };
  return { permission: 'configure', reauth, audited: true };
}

/**
 * A bulk request that creates nothing. Only the plain form (`dry_run=true`, once) counts: whatever else the route
 * might still read as a dry run is audited like a real run, so nothing the route creates can escape the audit. Its
 * permission and fresh code are the real run's: the dry run starts a bulk send, and one code covers the run that
 * follows within the five minutes.
 */
function isDryRun(name: string, query: string): boolean {
  if (name !== 'POST /v1/magic-links/bulk') return false;
  const values = new URLSearchParams(query).getAll('dry_run');
  return values.length === 1 && values[0] === 'true';
}
