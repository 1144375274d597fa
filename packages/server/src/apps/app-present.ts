/** Apps and API keys as the API shows them: never a key's secret or hash. */
import { iso, isoOrNull } from '../http/present.js';
import type { ApiKeyRow, AppRow } from '../storage/rows.js';
import { type AppSettings, publicUrlOf } from './app-settings.js';

export function presentApp(app: AppRow, settings: AppSettings, serverPublicUrl: string) {
  return {
    id: app.id,
    name: app.name,
    ...settings,
    public_url: publicUrlOf(settings, serverPublicUrl),
    created_at: iso(app.created_at),
    updated_at: iso(app.updated_at),
  };
}

export function presentApiKey(key: ApiKeyRow) {
  return {
    id: key.id,
    app_id: key.app_id,
    kind: key.kind,
    label: key.label,
    key_hint: key.key_hint,
    created_at: iso(key.created_at),
    last_used_at: isoOrNull(key.last_used_at),
    revoked_at: isoOrNull(key.revoked_at),
  };
}
