import { FormError } from '../forms/form-error.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { useAppQuery } from '../ui/app-query.js';
import { readSettings, SETTINGS_KEY } from './app-settings.js';
import { GeneralSection } from './general-section.js';
import { LinksSection } from './links-section.js';
import { RateLimitsSection } from './rate-limits-section.js';
import { RedirectsSection } from './redirects-section.js';
import { SenderSection } from './sender-section.js';
import { ShortcutsSection } from './shortcuts-section.js';

/**
 * Every setting of the app (GET and PATCH /v1/apps/{app_id}), in sections that each save on their own. Admins and
 * owners change them; operators and viewers read them (the API refuses them anyway, dashboard/roles.ts).
 */
export default function SettingsScreen() {
  const { operator } = useSignedIn();
  const readOnly = operator.role !== 'owner' && operator.role !== 'admin';
  const settings = useAppQuery(SETTINGS_KEY, readSettings);
  return (
    <section className="screen settings" aria-labelledby="screen-title">
      <ScreenTitle>Settings</ScreenTitle>
      {readOnly && (
        <p className="empty-state">
          Your role ({operator.role}) may read these settings; an admin or an owner can change them.
        </p>
      )}
      {settings.isPending && <p role="status">Loading…</p>}
      <FormError message={settings.error?.message} />
      {settings.data && (
        // Each section keeps what the operator typed until it is saved; the app's id resets them all.
        <div key={settings.data.id} className="settings-sections">
          <p className="muted">
            App <code>{settings.data.id}</code>. Each section is saved on its own.
          </p>
          <GeneralSection settings={settings.data} readOnly={readOnly} />
          <RedirectsSection settings={settings.data} readOnly={readOnly} />
          <ShortcutsSection settings={settings.data} readOnly={readOnly} />
          <LinksSection settings={settings.data} readOnly={readOnly} />
          <SenderSection settings={settings.data} readOnly={readOnly} />
          <RateLimitsSection settings={settings.data} readOnly={readOnly} />
        </div>
      )}
    </section>
  );
}
