import { type FormEvent, useState } from 'react';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';
import { useAppMutation } from '../ui/app-query.js';
import { StatusBadge } from '../ui/status-badge.js';
import type { RedirectVerdict } from './app-settings.js';

/**
 * "Would this be allowed, and why": the API's own redirect check against the saved allowlist, for a full URL or a
 * page shortcut name. Nothing is stored, so every role may use it.
 */
export function RedirectTester() {
  const [target, setTarget] = useState('');
  const check = useAppMutation((api, appId, value: string) =>
    api.v1<RedirectVerdict>('POST', `/apps/${appId}/redirect-check`, {
      app: appId,
      // A value with a scheme is a URL; anything else is taken as the name of a page shortcut.
      body: value.includes('://') ? { url: value } : { redirect_to: value },
    }),
  );
  const errors = formErrorsOf(check.error, ['url', 'redirect_to']);
  function submit(event: FormEvent) {
    event.preventDefault();
    if (target.trim() !== '') check.mutate(target.trim());
  }
  const verdict = check.data;
  return (
    <form className="redirect-tester" onSubmit={submit} noValidate aria-labelledby="redirect-tester-title">
      <h3 id="redirect-tester-title">Test a redirect</h3>
      <FormError message={errors.form} />
      <div className="settings-add">
        <TextField
          label="A URL or a page shortcut name"
          hint="Checked against the saved list, exactly as a new link is: save your changes first."
          inputMode="url"
          spellCheck={false}
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          error={errors.fields.url ?? errors.fields.redirect_to}
        />
        <button type="submit" disabled={check.isPending}>
          Test
        </button>
      </div>
      <div role="status" className="redirect-verdict">
        {verdict && (
          <p>
            <StatusBadge
              status={verdict.allowed ? 'allowed' : 'refused'}
              tone={verdict.allowed ? 'good' : 'bad'}
            />{' '}
            {verdict.reason}
          </p>
        )}
      </div>
    </form>
  );
}
