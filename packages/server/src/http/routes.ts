/**
 * What a capability hands the server: its routes, grouped by who may call them. The server registers each group
 * in its scope (auth.ts), so a route's protection follows from the group it is declared in. Capabilities declare
 * routes through these types and never import Fastify themselves: http/ and the server are the only places that do.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A set of routes, as a plugin the server registers in a scope. */
export type Routes = FastifyPluginAsyncTypebox;

/** The instance a `Routes` plugin declares its routes on. */
export type RouteScope = Parameters<Routes>[0];

export type Request = FastifyRequest;
export type Reply = FastifyReply;

export interface RouteGroups {
  /** No credentials: pages people open, the public sign-in API, public keys. Listed in the route inventory test. */
  public?: Routes;
  /** An app key, or an admin key naming the app. Authenticated and rate-limited before the body is read. */
  apiKey?: Routes;
  /** Admin keys only. */
  admin?: Routes;
  /** A person signed in to the dashboard (its session cookie); the dashboard's role rules apply. */
  operator?: Routes;
}
