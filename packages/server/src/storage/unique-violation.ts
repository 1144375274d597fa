/**
 * What storage throws when a write would give two users of one app the same identifier. Storage knows nothing of
 * HTTP or error codes: the services that write users turn this into their own `conflict` error.
 */
export type UniqueField = 'email' | 'phone' | 'external_id';

export class UniqueViolation extends Error {
  override readonly name = 'UniqueViolation';
  readonly field: UniqueField;

  constructor(field: UniqueField) {
    super(`Another user of this app already has this ${field}.`);
    this.field = field;
  }
}

const UNIQUE_FIELDS: Array<[RegExp, UniqueField]> = [
  [/users_app_email|users\.app_id, users\.email/, 'email'],
  [/users_app_phone|users\.app_id, users\.phone/, 'phone'],
  [/users_app_external|users\.app_id, users\.external_id/, 'external_id'],
];

/**
 * Turns a unique-constraint violation on a user identifier, from either database, into a `UniqueViolation`; any
 * other error passes through unchanged.
 */
export function mapUniqueViolation(error: unknown): unknown {
  const e = error as { code?: string; message?: string; constraint?: string };
  const isUnique = e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE';
  if (!isUnique) return error;
  const text = `${e.constraint ?? ''} ${e.message ?? ''}`;
  const field = UNIQUE_FIELDS.find(([pattern]) => pattern.test(text))?.[1];
  return field === undefined ? error : new UniqueViolation(field);
}
