/** Request and response shapes shared across routes; they validate input and feed the OpenAPI document. */
import { type TSchema, Type } from 'typebox';
import { errorCodes } from './error-codes.js';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(errorCodes).map((code) => Type.Literal(code))),
      message: Type.String(),
      param: Type.Optional(Type.String()),
    }),
  },
  {
    $id: 'Error',
    description:
      'Every error: a stable code from docs/errors.md, a sentence for people, and the field at fault.',
  },
);

export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(
    Type.String({ pattern: '^[a-z]+_[0-9a-z]{26}$', description: 'next_cursor of the previous page' }),
  ),
});

export function listOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
}

/** A loose object: documents the fields we return without making the serializer drop unexpected ones. */
export function loose<T extends Record<string, TSchema>>(props: T, description?: string) {
  return Type.Object(props, { additionalProperties: true, ...(description ? { description } : {}) });
}

export const Id = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` });

export const errorResponses = {
  400: { $ref: 'Error#' },
  401: { $ref: 'Error#' },
  403: { $ref: 'Error#' },
  404: { $ref: 'Error#' },
} as const;

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
