import { useState } from 'react';
import { TextField } from '../forms/text-field.js';
import { type AppSettings, nullIfEmpty } from './app-settings.js';
import { SettingsSection, useSaveSection } from './settings-section.js';

const FIELDS = ['name', 'public_url', 'site_url'] as const;

/** The app's name and where it lives: Latchkey's own pages for it, and the app's own site. */
export function GeneralSection({ settings, readOnly }: { settings: AppSettings; readOnly: boolean }) {
  const [form, setForm] = useState(() => formOf(settings));
  const [loaded, setLoaded] = useState(settings.public_url);
  const save = useSaveSection(FIELDS, (saved) => {
    setForm(formOf(saved));
    setLoaded(saved.public_url);
  });
  const set = (field: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [field]: event.target.value }));
  return (
    <SettingsSection
      title="General"
      intro="The app's name, the address of Latchkey's pages for it, and the app's own site."
      readOnly={readOnly}
      save={save}
      onSubmit={() =>
        save.submit({
          name: form.name.trim(),
          // Sent only when changed: the API answers the installation's own address for an app without one of its
          // own, and that address sent back would be refused as a host no app may hold.
          ...(form.public_url.trim() === loaded ? {} : { public_url: nullIfEmpty(form.public_url) }),
          site_url: nullIfEmpty(form.site_url),
        })
      }
    >
      <TextField label="Name" value={form.name} onChange={set('name')} error={save.errors.fields.name} />
      <TextField
        label="Public URL"
        hint="Where links and the login page of this app are reached, such as https://login.example.com. Empty: this Latchkey's own address."
        type="url"
        inputMode="url"
        value={form.public_url}
        onChange={set('public_url')}
        error={save.errors.fields.public_url}
      />
      <TextField
        label="Site URL"
        hint="The app's own site, which links made with a magic_link_path are built on."
        type="url"
        inputMode="url"
        value={form.site_url}
        onChange={set('site_url')}
        error={save.errors.fields.site_url}
      />
    </SettingsSection>
  );
}

function formOf(s: AppSettings) {
  return { name: s.name, public_url: s.public_url, site_url: s.site_url ?? '' };
}
