import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { ApiError } from '../errors/api-error.js';

/**
 * Request validation. Query strings and path parameters arrive as text, so they are coerced to the schema's types;
 * JSON bodies are validated exactly as sent: `"30"` is not a number, `null` is not `false`, `["x"]` is not `"x"`.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const base = { allErrors: false, useDefaults: true, removeAdditional: false as const, strict: false };
  const strictAjv = addFormats.default(new Ajv.default({ ...base, coerceTypes: false }));
  const coercingAjv = addFormats.default(new Ajv.default({ ...base, coerceTypes: 'array' }));
  const cache = new WeakMap<object, ValidateFunction>();
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? strictAjv : coercingAjv;
    const key = schema as object;
    const cached = httpPart === 'body' ? undefined : cache.get(key);
    const validate = cached ?? ajv.compile(key);
    if (httpPart !== 'body') cache.set(key, validate);
    return validate as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}

/**
 * No stored text may hold a NUL character: PostgreSQL cannot store one and it has no business in an email,
 * a name or a URL. Checked once for the body and query of every request, before any route runs (path parameters
 * are held to the route's own patterns, and a link page answers a malformed token with its own page).
 */
export async function refuseNulCharacters(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [
    ['body', request.body],
    ['query', request.query],
  ] as const) {
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
