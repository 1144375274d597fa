/**
 * Request validation, by the same TypeBox schemas that type the routes and make the OpenAPI document. Query strings
 * and path parameters arrive as text, so they are converted to the schema's types first; JSON bodies are checked
 * exactly as sent: `"30"` is not a number, `null` is not `false`, `["x"]` is not `"x"`.
 */
import type { FastifySchemaCompiler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { ApiError } from '../errors/api-error.js';

/** What TypeBox says is wrong with a value (the fields we read of it). */
export interface SchemaIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

type Check = (value: unknown) => { value: unknown } | { error: SchemaIssue[] };

/** Fastify's validator compiler: one compiled check per schema and part of the request. */
export function createValidatorCompiler(): FastifySchemaCompiler<TSchema> {
  return ({ schema, httpPart }) =>
    compileCheck(schema, httpPart !== 'body') as ReturnType<FastifySchemaCompiler<TSchema>>;
}

function compileCheck(schema: TSchema, fromText: boolean): Check {
  const compiled = Compile(schema);
  const textOnly = fromText && takesOnlyText(schema);
  return (input) => {
    const value = fromText && !(textOnly && allText(input)) ? convertText(schema, input) : input;
    if (compiled.Check(value)) return { value };
    return { error: [...compiled.Errors(value)] as SchemaIssue[] };
  };
}

/**
 * Query strings and path parameters as the schema's types. TypeBox would turn `1.5` into the integer 1; a number
 * that does not say exactly what the text said is left as text, so the check refuses it.
 */
function convertText(schema: TSchema, input: unknown): unknown {
  if (!isRecord(input)) return Value.Convert(schema, input);
  // Convert changes the object it is given; the request's own query stays as it came.
  const converted = Value.Convert(schema, { ...input });
  if (!isRecord(converted)) return converted;
  for (const [key, text] of Object.entries(input)) {
    if (typeof text === 'string' && typeof converted[key] === 'number' && Number(text) !== converted[key]) {
      converted[key] = text;
    }
  }
  return converted;
}

/**
 * Whether every property the schema names is a string, so that text needs no converting: TypeBox's Convert walks the
 * schema on every call, and a link's page (`/l/{token}`) would pay for it on every request to leave the token as it is.
 */
function takesOnlyText(schema: TSchema): boolean {
  const { type, properties } = schema as { type?: unknown; properties?: Record<string, { type?: unknown }> };
  return (
    type === 'object' &&
    properties !== undefined &&
    Object.values(properties).every((property) => property.type === 'string')
  );
}

function allText(input: unknown): boolean {
  if (!isRecord(input)) return false;
  for (const key in input) if (typeof input[key] !== 'string') return false;
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A check of a JSON value against `schema` that throws the same `validation_failed` a route's body would get (bulk
 * creation holds each row to what `POST /v1/magic-links` accepts, with the same code, message and `param`).
 */
export function bodyValidator<T>(schema: TSchema): (value: unknown) => T {
  const check = compileCheck(schema, false);
  return (value) => {
    refuseNul(value, 'body');
    const result = check(value);
    if ('error' in result) throw validationFailure(result.error, 'body');
    return result.value as T;
  };
}

/**
 * The `validation_failed` error for what a schema check found, naming the field at fault. A missing field is named
 * before a field that is not allowed, and both before a wrong value, whichever TypeBox listed first.
 */
export function validationFailure(issues: readonly SchemaIssue[], part: string): ApiError {
  const rank = (issue: SchemaIssue) =>
    issue.keyword === 'required'
      ? 0
      : issue.keyword === 'additionalProperties'
        ? 1
        : issue.keyword === 'boolean'
          ? 3
          : 2;
  const first = [...issues].sort((a, b) => rank(a) - rank(b))[0];
  if (first === undefined)
    return new ApiError('validation_failed', `The ${part} is invalid.`, { param: part });
  const base = first.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = firstName(first.params.requiredProperties);
  const extra = firstName(first.params.additionalProperties);
  const field = [base, missing ?? extra].filter(Boolean).join('.') || part;
  let message: string;
  if (field === 'body')
    message = 'Send a JSON object as the request body (`{}` when every field is optional).';
  else if (missing) message = `${field} is required.`;
  else if (extra) message = `${field} is not a known field.`;
  else message = `${field} ${first.message}.`;
  return new ApiError('validation_failed', message, { param: field });
}

function firstName(names: unknown): string | undefined {
  return Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
}

/**
 * No stored text may hold a NUL character: PostgreSQL cannot store one and it has no business in an email,
 * a name or a URL. Checked once for the body and query of every request, before any route runs (path parameters
 * are held to the route's own patterns, and a link page answers a malformed token with its own page).
 */
export async function refuseNulCharacters(request: { body?: unknown; query?: unknown }): Promise<void> {
  refuseNul(request.body, 'body');
  refuseNul(request.query, 'query');
}

function refuseNul(value: unknown, part: string): void {
  const path = findNul(value, '');
  if (path !== undefined) {
    throw new ApiError(
      'validation_failed',
      `${path || 'The request'} contains a NUL character, which is never allowed.`,
      {
        param: path || part,
      },
    );
  }
}

function findNul(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path.replace(/\.$/, '') : undefined;
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path}${key}`;
    const found = findNul(child, `${path}${key}.`, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
