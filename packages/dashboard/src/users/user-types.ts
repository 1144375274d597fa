/** The shapes of the users, sessions and events APIs the Users screens read (docs/api.md). */

export interface User {
  id: string;
  external_id: string | null;
  email: string | null;
  email_verified: boolean;
  phone: string | null;
  phone_verified: boolean;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface UserSession {
  id: string;
  user_id: string;
  amr: string[];
  status: 'active' | 'revoked' | 'expired';
  created_at: string;
  expires_at: string;
  last_refreshed_at: string | null;
  revoked_at: string | null;
}

export interface AppEvent {
  id: string;
  type: string;
  subject_id: string | null;
  created_at: string;
  data: Record<string, unknown>;
}

/** How a user is named in lists and headings: the address, else the number, else the app's own id. */
export function userName(user: User): string {
  return user.email ?? user.phone ?? user.external_id ?? user.id;
}
