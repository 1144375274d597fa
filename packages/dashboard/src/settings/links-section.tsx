import { useState } from 'react';
import { CheckboxField } from '../forms/checkbox-field.js';
import { SelectField } from '../forms/select-field.js';
import { TextField } from '../forms/text-field.js';
import { type AppSettings, numberOf } from './app-settings.js';
import { SettingsSection, useSaveSection } from './settings-section.js';

const TYPES = [
  { type: 'login', label: 'Sign-in links' },
  { type: 'verify_identifier', label: 'Verification links' },
  { type: 'invite', label: 'Invitations' },
] as const;
const MINUTES = ' (minutes)';

const FIELDS = [
  ...TYPES.map(({ type }) => `ttl_minutes.${type}`),
  'ttl_minutes',
  'max_ttl_minutes',
  'scanner_protection',
  'auto_create_users',
  'signed_links_reusable',
  'session_duration_minutes',
  'access_token_minutes',
];

/** How long links and sessions live, and how links behave when opened. */
export function LinksSection({ settings, readOnly }: { settings: AppSettings; readOnly: boolean }) {
  const [form, setForm] = useState(() => formOf(settings));
  const save = useSaveSection(FIELDS, (saved) => setForm(formOf(saved)));
  const text = (field: keyof ReturnType<typeof formOf>) => ({
    value: String(form[field]),
    onChange: (event: { target: { value: string } }) =>
      setForm((f) => ({ ...f, [field]: event.target.value })),
    error: save.errors.fields[field],
  });
  return (
    <SettingsSection
      title="Links and sessions"
      intro="How long each kind of link and a session last, in minutes, and what opening a link does."
      readOnly={readOnly}
      save={save}
      onSubmit={() =>
        save.submit({
          ttl_minutes: Object.fromEntries(
            TYPES.map(({ type }) => [type, numberOf(form[`ttl_minutes.${type}`])]),
          ),
          max_ttl_minutes: numberOf(form.max_ttl_minutes),
          session_duration_minutes: numberOf(form.session_duration_minutes),
          access_token_minutes: numberOf(form.access_token_minutes),
          scanner_protection: form.scanner_protection,
          auto_create_users: form.auto_create_users,
          signed_links_reusable: form.signed_links_reusable,
        })
      }
    >
      <h3>How long a link lives</h3>
      <div className="settings-grid">
        {TYPES.map(({ type, label }) => (
          <TextField
            key={type}
            label={label + MINUTES}
            inputMode="numeric"
            {...text(`ttl_minutes.${type}`)}
          />
        ))}
        <TextField
          label={`Longest any link lives${MINUTES}`}
          hint="At most 43200 (30 days); no link of any type lives longer."
          inputMode="numeric"
          {...text('max_ttl_minutes')}
        />
      </div>
      <h3>When a link is opened</h3>
      <SelectField
        label="Scanner protection"
        hint="Email scanners open links before people do. Confirm: the link asks for a click first. Auto: it signs in when opened."
        value={form.scanner_protection}
        onChange={(event) =>
          setForm((f) => ({
            ...f,
            scanner_protection: event.target.value as AppSettings['scanner_protection'],
          }))
        }
        error={save.errors.fields.scanner_protection}
        options={[
          { value: 'confirm', label: 'Confirm with a click (recommended)' },
          { value: 'auto', label: 'Sign in when opened' },
        ]}
      />
      <CheckboxField
        label="Create a user for an unknown address"
        hint="Off: a link or sign-in for an address with no user is refused."
        checked={form.auto_create_users}
        onChange={(event) => setForm((f) => ({ ...f, auto_create_users: event.target.checked }))}
        error={save.errors.fields.auto_create_users}
      />
      <CheckboxField
        label="Signed links may be used again until they expire"
        hint="Off: each stateless signed link signs in once."
        checked={form.signed_links_reusable}
        onChange={(event) => setForm((f) => ({ ...f, signed_links_reusable: event.target.checked }))}
        error={save.errors.fields.signed_links_reusable}
      />
      <h3>Sessions</h3>
      <div className="settings-grid">
        <TextField
          label="Session length (minutes)"
          hint="How long a sign-in lasts before the person must sign in again."
          inputMode="numeric"
          {...text('session_duration_minutes')}
        />
        <TextField
          label="Session token lifetime (minutes)"
          hint="How long each session token is valid before it is refreshed."
          inputMode="numeric"
          {...text('access_token_minutes')}
        />
      </div>
    </SettingsSection>
  );
}

function formOf(s: AppSettings) {
  return {
    'ttl_minutes.login': String(s.ttl_minutes.login),
    'ttl_minutes.verify_identifier': String(s.ttl_minutes.verify_identifier),
    'ttl_minutes.invite': String(s.ttl_minutes.invite),
    max_ttl_minutes: String(s.max_ttl_minutes),
    session_duration_minutes: String(s.session_duration_minutes),
    access_token_minutes: String(s.access_token_minutes),
    scanner_protection: s.scanner_protection,
    auto_create_users: s.auto_create_users,
    signed_links_reusable: s.signed_links_reusable,
  };
}
