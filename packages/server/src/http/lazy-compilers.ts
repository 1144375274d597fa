/**
 * Validators and response serializers made when a route first uses them, not when it is registered. Fastify builds
 * both for every route at start: hundreds of routes (the API, and its copy under /dashboard/api) of which a server
 * answers a handful most of the time. Made eagerly, their generated code was several MiB of the heap at rest, and
 * making them was much of what grew V8's young generation during start. Each is still made once per route and
 * schema; only the moment moves.
 */

import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaCompiler } from 'fastify';

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/** Fastify's own serializer factory (fast-json-stringify), each route's serializer compiled on its first answer. */
export function lazySerializers(): SerializerFactory {
  const eager = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = eager(externalSchemas, options);
    return (route) => {
      let serialize: ((doc: unknown) => string) | undefined;
      return (doc) => {
        serialize ??= compile(route);
        return serialize(doc);
      };
    };
  };
}

/** A validator compiler whose validators are compiled on their first request. */
export function lazyValidators<S>(compiler: FastifySchemaCompiler<S>): FastifySchemaCompiler<S> {
  return (route) => {
    let validate: ReturnType<FastifySchemaCompiler<S>> | undefined;
    return (data) => {
      validate ??= compiler(route);
      return validate(data);
    };
  };
}
