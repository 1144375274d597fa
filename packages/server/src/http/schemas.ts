/** Request and response shapes shared across routes; they validate input and feed the OpenAPI document. */
import { type TSchema, Type } from 'typebox';
import { errorCodes } from '../errors/error-codes.js';

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

export const Id = (prefix: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-z]{26}$`, description: `${prefix}_… id` });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
