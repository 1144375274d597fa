/**
 * Holds every answer of a documented route to the OpenAPI document, for the test servers: the status must be one
 * the route documents, and a JSON body must match the documented schema with nothing undocumented in it. In
 * production the same schemas drive Fastify's serializer, which drops any field a schema does not name; this check
 * is what makes sure, on every request the tests make, that no field is dropped and no status goes undocumented.
 */
import type { ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

type Schema = Record<string, unknown>;

/**
 * Checks answers against their route's documented responses; a mismatch becomes a 500 and a line on stderr. The
 * validator is loaded only here, so a production server never holds it.
 */
export async function checkResponses(app: FastifyInstance, sharedSchemas: object[]): Promise<void> {
  const problemsOf = await schemaChecker(sharedSchemas);

  /** What is wrong with a body sent for this answer, or nothing. */
  const issuesOf = (request: FastifyRequest, reply: FastifyReply, body: unknown): string | undefined => {
    const schema = documentedSchema(request, reply);
    if (!schema || !isJson(reply)) return undefined;
    const problems = problemsOf(schema, body);
    return problems && `the body does not match the documented schema: ${problems}`;
  };
  const seen = new WeakSet<FastifyRequest>();

  app.addHook('preSerialization', async (request, reply, payload) => {
    seen.add(request);
    // What the client would read if nothing were dropped: dates as strings, undefined fields gone.
    const issues = issuesOf(request, reply, JSON.parse(JSON.stringify(payload) ?? 'null'));
    return issues ? mismatch(request, reply, issues) : payload;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const responses = documentedResponses(request);
    if (!responses) return payload;
    if (!statusDocumented(responses, reply.statusCode)) {
      reply.header('content-type', 'application/json; charset=utf-8');
      return JSON.stringify(mismatch(request, reply, `status ${reply.statusCode} is not documented`));
    }
    // An answer sent as ready-made text (a new link kept for Idempotency-Key replays) skipped the serializer;
    // it is held to the same schema here.
    if (!seen.has(request) && typeof payload === 'string' && isJson(reply)) {
      const issues = issuesOf(request, reply, parsed(payload));
      if (issues) return JSON.stringify(mismatch(request, reply, issues));
    }
    return payload;
  });
}

/**
 * A check of values against schemas closed to the fields they name (each schema compiled once): what is wrong, or
 * nothing. The validator is loaded only here, so a production server never holds it.
 */
export async function schemaChecker(
  sharedSchemas: object[],
): Promise<(schema: object, value: unknown) => string | undefined> {
  const [{ Ajv2020 }, { default: addFormats }] = await Promise.all([
    import('ajv/dist/2020.js'),
    import('ajv-formats'),
  ]);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  for (const shared of sharedSchemas) ajv.addSchema(shared);
  const compiled = new WeakMap<object, ValidateFunction>();
  return (schema, value) => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(closed(schema) as Schema);
      compiled.set(schema, validate);
    }
    if (validate(value)) return undefined;
    return (validate.errors ?? [])
      .map((issue) => `${issue.instancePath || '/'} ${issue.message}${describeParams(issue.params)}`)
      .join('; ');
  };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return Symbol('not JSON');
  }
}

function mismatch(request: FastifyRequest, reply: FastifyReply, what: string) {
  const line = `response check: ${request.method} ${request.routeOptions.url} answered ${reply.statusCode}: ${what}`;
  process.stderr.write(`${line}\n`);
  reply.code(500);
  return { error: { code: 'internal_error', message: line } };
}

function documentedResponses(request: FastifyRequest): Record<string, unknown> | undefined {
  const schema = request.routeOptions.schema as
    | { hide?: boolean; response?: Record<string, unknown> }
    | undefined;
  if (!schema || schema.hide || !schema.response) return undefined;
  // A route that documents no success yet is left to the reference's own test, which names every such route.
  if (!Object.keys(schema.response).some((status) => status.startsWith('2'))) return undefined;
  return schema.response;
}

function statusDocumented(responses: Record<string, unknown>, status: number): boolean {
  return String(status) in responses || `${String(status)[0]}xx` in responses || 'default' in responses;
}

/** The JSON schema documented for this answer's status and content type, if there is one. */
function documentedSchema(request: FastifyRequest, reply: FastifyReply): Schema | undefined {
  const responses = documentedResponses(request);
  const response = responses?.[String(reply.statusCode)] as Schema | undefined;
  if (!response) return undefined;
  const content = response.content as Record<string, { schema?: Schema }> | undefined;
  if (!content) return response;
  return content[mediaType(reply)]?.schema;
}

function mediaType(reply: FastifyReply): string {
  const type = reply.getHeader('content-type');
  return typeof type === 'string' ? (type.split(';')[0] ?? '').trim() : 'application/json';
}

function isJson(reply: FastifyReply): boolean {
  const type = mediaType(reply);
  return type === 'application/json' || type.endsWith('+json');
}

function describeParams(params: Record<string, unknown>): string {
  if ('additionalProperty' in params) return ` (${String(params.additionalProperty)})`;
  if ('missingProperty' in params) return ` (${String(params.missingProperty)})`;
  return '';
}

/**
 * The schema with every object closed to the properties it names (unless it says otherwise), so an undocumented
 * field is an error here rather than a field the serializer silently drops. The branches of an `allOf` stay open
 * (each would refuse the other's fields); their parent is closed over what all of them name.
 */
export function closed(schema: unknown, branch = false): unknown {
  if (Array.isArray(schema)) return schema.map((item) => closed(item));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = { ...(schema as Schema) };
  for (const key of ['properties', 'patternProperties', '$defs']) {
    if (isRecord(out[key])) {
      out[key] = Object.fromEntries(Object.entries(out[key]).map(([name, sub]) => [name, closed(sub)]));
    }
  }
  for (const key of ['items', 'additionalProperties', 'not', 'anyOf', 'oneOf', 'prefixItems']) {
    if (typeof out[key] === 'object' && out[key] !== null) out[key] = closed(out[key]);
  }
  if (Array.isArray(out.allOf)) {
    out.allOf = out.allOf.map((sub) => closed(sub, true));
    out.unevaluatedProperties ??= false;
  }
  const isObject = out.type === 'object' || isRecord(out.properties);
  if (!branch && isObject && out.additionalProperties === undefined && out.patternProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
