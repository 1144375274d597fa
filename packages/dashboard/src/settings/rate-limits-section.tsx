import { useState } from 'react';
import { TextField } from '../forms/text-field.js';
import { type AppSettings, numberOf, type RateRuleName } from './app-settings.js';
import { SettingsSection, useSaveSection } from './settings-section.js';

const RULES: ReadonlyArray<{ name: RateRuleName; label: string; hint: string }> = [
  {
    name: 'login_sends_per_identifier',
    label: 'Sign-in messages per address',
    hint: 'How many sign-in links or codes one email address or phone number may be sent.',
  },
  {
    name: 'code_attempts_per_identifier',
    label: 'Code attempts per address',
    hint: 'How many codes may be tried for one address: slows down guessing.',
  },
  {
    name: 'public_requests_per_ip',
    label: 'Public requests per network address',
    hint: 'Requests to the pages and endpoints that take no key, per IP address.',
  },
  {
    name: 'api_requests_per_key',
    label: 'API requests per key',
    hint: "Requests with one of this app's API keys.",
  },
];

const FIELDS = [
  ...RULES.flatMap(({ name }) => [`rate_limits.${name}.limit`, `rate_limits.${name}.window_seconds`]),
  'rate_limits',
  'rate_limits.login_resend_cooldown_seconds',
];

type Form = Record<string, string>;

/** How often each kind of caller may ask (docs/configuration.md#rate-limits); a limit of 0 switches a rule off. */
export function RateLimitsSection({ settings, readOnly }: { settings: AppSettings; readOnly: boolean }) {
  const [form, setForm] = useState<Form>(() => formOf(settings));
  const save = useSaveSection(FIELDS, (saved) => setForm(formOf(saved)));
  const field = (key: string) => ({
    value: form[key] ?? '',
    onChange: (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value })),
    error: save.errors.fields[`rate_limits.${key}`],
    inputMode: 'numeric' as const,
  });
  return (
    <SettingsSection
      title="Rate limits"
      intro="How many requests each kind of caller may make in a window of time. A limit of 0 switches that rule off."
      readOnly={readOnly}
      save={save}
      onSubmit={() =>
        save.submit({
          rate_limits: {
            ...Object.fromEntries(
              RULES.map(({ name }) => [
                name,
                {
                  limit: numberOf(form[`${name}.limit`] ?? ''),
                  window_seconds: numberOf(form[`${name}.window_seconds`] ?? ''),
                },
              ]),
            ),
            login_resend_cooldown_seconds: numberOf(form.login_resend_cooldown_seconds ?? ''),
          },
        })
      }
    >
      {RULES.map(({ name, label, hint }) => (
        <fieldset key={name} className="settings-row settings-rule">
          <legend>{label}</legend>
          <p className="field-hint">{hint}</p>
          <TextField label="Requests" {...field(`${name}.limit`)} />
          <TextField label="Window (seconds)" {...field(`${name}.window_seconds`)} />
        </fieldset>
      ))}
      <TextField
        label="Wait before sending again (seconds)"
        hint="How long a person waits before the login page sends another message to the same address. 0: no wait."
        {...field('login_resend_cooldown_seconds')}
      />
    </SettingsSection>
  );
}

function formOf(s: AppSettings): Form {
  const form: Form = {
    login_resend_cooldown_seconds: String(s.rate_limits.login_resend_cooldown_seconds),
  };
  for (const { name } of RULES) {
    form[`${name}.limit`] = String(s.rate_limits[name].limit);
    form[`${name}.window_seconds`] = String(s.rate_limits[name].window_seconds);
  }
  return form;
}
