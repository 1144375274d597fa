import { useState } from 'react';
import { SelectField } from '../forms/select-field.js';
import { TextField } from '../forms/text-field.js';
import { type AppSettings, LANGUAGES, nullIfEmpty } from './app-settings.js';
import { SettingsSection, useSaveSection } from './settings-section.js';

const FIELDS = ['default_language', 'default_phone_region', 'sender', 'sender.name', 'sender.email'];

/**
 * Who the messages come from, the language of pages and messages when a link names none, and the region a phone
 * number written without + is read in.
 */
export function SenderSection({ settings, readOnly }: { settings: AppSettings; readOnly: boolean }) {
  const [form, setForm] = useState(() => formOf(settings));
  const save = useSaveSection(FIELDS, (saved) => setForm(formOf(saved)));
  return (
    <SettingsSection
      title="Sender and language"
      intro="The name and address the app's messages come from, the language used when a link or person names none, and the country of phone numbers written without +."
      readOnly={readOnly}
      save={save}
      onSubmit={() =>
        save.submit({
          default_language: form.language,
          default_phone_region: nullIfEmpty(form.region.trim().toUpperCase()),
          sender: { name: nullIfEmpty(form.name), email: nullIfEmpty(form.email) },
        })
      }
    >
      <TextField
        label="From name"
        hint="Empty: the installation's own (LATCHKEY_SMTP_FROM)."
        value={form.name}
        onChange={(event) => setForm((f) => ({ ...f, name: event.target.value }))}
        error={save.errors.fields['sender.name']}
      />
      <TextField
        label="From address"
        hint="Your mail server must be allowed to send as this address. Empty: the installation's own."
        type="email"
        inputMode="email"
        autoComplete="off"
        value={form.email}
        onChange={(event) => setForm((f) => ({ ...f, email: event.target.value }))}
        error={save.errors.fields['sender.email']}
      />
      <SelectField
        label="Default language"
        value={form.language}
        onChange={(event) => setForm((f) => ({ ...f, language: event.target.value }))}
        error={save.errors.fields.default_language}
        options={LANGUAGES}
      />
      <TextField
        label="Default phone region"
        hint="Two letters, such as GB or US: numbers written without + are read as that country's. Empty: every number needs + and its country code."
        autoComplete="off"
        maxLength={2}
        value={form.region}
        onChange={(event) => setForm((f) => ({ ...f, region: event.target.value }))}
        error={save.errors.fields.default_phone_region}
      />
    </SettingsSection>
  );
}

function formOf(s: AppSettings) {
  return {
    name: s.sender.name ?? '',
    email: s.sender.email ?? '',
    language: s.default_language,
    region: s.default_phone_region ?? '',
  };
}
