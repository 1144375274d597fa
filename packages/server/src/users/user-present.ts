import { iso, isoOrNull } from '../http/present.js';
import type { UserRow } from '../storage/rows.js';

export function presentUser(user: UserRow) {
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
