/** Request and response shapes shared across routes; they validate input and feed the OpenAPI document. */
import { type TSchema, Type } from 'typebox';
import { type ErrorCode, errorCodes } from '../errors/error-codes.js';
import { LINK_TYPES } from '../storage/schema.js';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      // One string with the codes as its enum, rather than a union of literals: the reference lists them the same
      // way, and the serializer checks one type instead of trying each literal in turn.
      code: Type.Unsafe<ErrorCode>({ type: 'string', enum: Object.keys(errorCodes) }),
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

/** A time as the API writes it: ISO 8601 in UTC with milliseconds. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-12-06T10:00:00.000Z'] });

/** A page of a list: the items, and the cursor of the next page (null on the last). */
export const Page = <T extends TSchema>(item: T, description: string) =>
  Type.Object(
    {
      data: Type.Array(item),
      next_cursor: Nullable(
        Type.String({ description: 'Pass as `cursor` for the next page; null on the last.' }),
      ),
    },
    { description },
  );

/** The answer of a route that answers with no body (a delete). */
export const NoContent = (description: string) => Type.Null({ description });

/**
 * One of the values: a string with an enum, as the Error body lists its codes (the reference shows one list, and the
 * serializer checks one type rather than trying each literal in turn).
 */
export const OneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({
    type: 'string',
    enum: [...values],
    ...(description === undefined ? {} : { description }),
  });

/** A link's type, wherever the API names one. */
export const LinkTypeSchema = OneOf(LINK_TYPES);

/**
 * A resource schema with its name: the API reference lists it once under that name (`#/components/schemas/User`)
 * and refers to it from every operation, which gives client generators a type name and keeps the document small.
 */
export const Named = <T extends TSchema>(title: string, schema: T): T => ({ ...schema, title }) as T;
