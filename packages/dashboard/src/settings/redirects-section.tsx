import { useId, useState } from 'react';
import { TextField } from '../forms/text-field.js';
import { type AppSettings, nullIfEmpty } from './app-settings.js';
import { RedirectTester } from './redirect-tester.js';
import { SettingsSection, useSaveSection } from './settings-section.js';

/**
 * The allowlist of redirect targets and the default target. Entries are added and removed here and saved together
 * with the section's Save, since the default target must itself be on the list (the API checks the two together).
 */
export function RedirectsSection({ settings, readOnly }: { settings: AppSettings; readOnly: boolean }) {
  const [entries, setEntries] = useState(settings.allowed_redirects);
  const [fallback, setFallback] = useState(settings.default_redirect_url ?? '');
  const [adding, setAdding] = useState('');
  const fields = [
    ...entries.map((_, i) => `allowed_redirects[${i}]`),
    'allowed_redirects',
    'default_redirect_url',
  ];
  const save = useSaveSection(fields, (saved) => {
    setEntries(saved.allowed_redirects);
    setFallback(saved.default_redirect_url ?? '');
  });
  const listId = useId();

  function add() {
    const entry = adding.trim();
    if (entry === '') return;
    setEntries((list) => [...list, entry]);
    setAdding('');
  }

  return (
    <SettingsSection
      title="Redirects"
      intro="Where a link may send a person once it is used: an origin (any path on it) or an origin and a path (that path and below). Anything else is refused when the link is made."
      readOnly={readOnly}
      save={save}
      onSubmit={() =>
        save.submit({ allowed_redirects: entries, default_redirect_url: nullIfEmpty(fallback) })
      }
      after={<RedirectTester />}
    >
      <h3 id={listId}>Allowed redirects</h3>
      {save.errors.fields.allowed_redirects && (
        <p className="field-error">{save.errors.fields.allowed_redirects}</p>
      )}
      {entries.length === 0 ? (
        <p className="empty-state">
          No target is allowed yet, so links can only use the default below or none. Add the address of your
          app's sign-in callback, such as https://app.example.com/auth/callback.
        </p>
      ) : (
        <ul className="settings-list" aria-labelledby={listId}>
          {entries.map((entry, i) => {
            const error = save.errors.fields[`allowed_redirects[${i}]`];
            return (
              // Entries may repeat while being edited, so the position is part of the key.
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is the operator's, in the order typed
              <li key={`${i}-${entry}`}>
                <code className={error ? 'invalid' : undefined}>{entry}</code>
                {!readOnly && (
                  <button
                    type="button"
                    aria-label={`Remove ${entry}`}
                    onClick={() => setEntries((list) => list.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                )}
                {error && <p className="field-error">{error}</p>}
              </li>
            );
          })}
        </ul>
      )}
      {!readOnly && (
        <div className="settings-add">
          <TextField
            label="Add a target"
            hint="For example https://app.example.com or https://portal.example.com/invoices."
            type="url"
            inputMode="url"
            value={adding}
            onChange={(event) => setAdding(event.target.value)}
            onKeyDown={(event) => {
              // Enter adds the entry rather than saving the section with it half-typed.
              if (event.key === 'Enter') {
                event.preventDefault();
                add();
              }
            }}
          />
          <button type="button" onClick={add}>
            Add
          </button>
        </div>
      )}
      <TextField
        label="Default redirect"
        hint="Where a link without a redirect of its own sends the person; it must be on the list above. Empty: none."
        type="url"
        inputMode="url"
        value={fallback}
        onChange={(event) => setFallback(event.target.value)}
        error={save.errors.fields.default_redirect_url}
      />
    </SettingsSection>
  );
}
