import { type Static, Type } from 'typebox';
import { iso, isoOrNull } from '../http/present.js';
import { Id, Named, Nullable, Timestamp } from '../http/schemas.js';
import type { UserRow } from '../storage/rows.js';

/** A user as the API shows it. */
export const User = Named(
  'User',
  Type.Object(
    {
      id: Id('usr'),
      external_id: Nullable(
        Type.String({ description: 'Your own id for this person (or their Passage id).' }),
      ),
      email: Nullable(Type.String({ description: 'Lower-cased, with the domain in IDNA form.' })),
      email_verified: Type.Boolean(),
      phone: Nullable(Type.String({ description: 'E.164, e.g. +442079460958.' })),
      phone_verified: Type.Boolean(),
      metadata: Type.Record(Type.String(), Type.Unknown()),
      created_at: Timestamp,
      updated_at: Timestamp,
      last_login_at: Nullable(Timestamp),
    },
    { description: 'A user' },
  ),
);

export function presentUser(user: UserRow): Static<typeof User> {
  return {
    id: user.id,
    external_id: user.external_id,
    email: user.email,
    email_verified: user.email_verified === 1,
    phone: user.phone,
    phone_verified: user.phone_verified === 1,
    metadata: JSON.parse(user.metadata) as Record<string, unknown>,
    created_at: iso(user.created_at),
    updated_at: iso(user.updated_at),
    last_login_at: isoOrNull(user.last_login_at),
  };
}
