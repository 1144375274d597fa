/**
 * Named resource schemas (`Named('User', …)` in http/schemas.ts) listed once in the API reference: Fastify's
 * document generator inlines a route's schemas in every operation, so each `User` would be written out wherever a
 * user is answered. This lists the first of each name under `components.schemas` and points every use at it, so a
 * client generator gets one `User` type and the document a fraction of its size.
 */
import { isDeepStrictEqual } from 'node:util';

type Json = Record<string, unknown>;

export function hoistNamedSchemas<T extends { paths?: unknown; components?: { schemas?: Json } }>(
  document: T,
): T {
  const named: Json = { ...document.components?.schemas };
  const paths = visit(document.paths, named);
  return { ...document, paths, components: { ...document.components, schemas: named } };
}

function visit(node: unknown, named: Json): unknown {
  if (Array.isArray(node)) return node.map((item) => visit(item, named));
  if (!isRecord(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    // Examples are data, not schemas: a `title` in one is a value.
    out[key] = key === 'examples' || key === 'example' ? value : visit(value, named);
  }
  return typeof out.title === 'string' && out.type === 'object' ? referenced(out, out.title, named) : out;
}

/**
 * A `$ref` to the component of this name, unless a different shape already holds the name (then it stays inline).
 * Uses that differ only in their annotations (`{ ...User, description: 'The new user' }`, their own examples)
 * keep those annotations beside the `$ref`.
 */
function referenced(schema: Json, name: string, named: Json): Json {
  const known = named[name];
  if (known === undefined) named[name] = schema;
  else if (!isRecord(known) || !isDeepStrictEqual(shapeOf(known), shapeOf(schema))) return schema;
  const ref: Json = { $ref: `#/components/schemas/${name}` };
  const component = named[name] as Json;
  for (const note of ANNOTATIONS) {
    if (schema[note] !== undefined && !isDeepStrictEqual(schema[note], component[note]))
      ref[note] = schema[note];
  }
  return ref;
}

const ANNOTATIONS = ['description', 'examples'] as const;

function shapeOf(schema: Json): Json {
  const { description: _description, examples: _examples, ...shape } = schema;
  return shape;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
