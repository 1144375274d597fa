import { iso, isoOrNull } from '../http/present.js';
import type { SessionRow } from '../storage/rows.js';

export function presentSession(session: SessionRow, now: number) {
  return {
    id: session.id,
    app_id: session.app_id,
    user_id: session.user_id,
    amr: [session.amr],
    status: session.revoked_at !== null ? 'revoked' : session.expires_at <= now ? 'expired' : 'active',
    created_at: iso(session.created_at),
    expires_at: iso(session.expires_at),
    last_refreshed_at: isoOrNull(session.last_refreshed_at),
    revoked_at: isoOrNull(session.revoked_at),
  };
}
