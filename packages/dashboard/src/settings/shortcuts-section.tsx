import { useState } from 'react';
import { SelectField } from '../forms/select-field.js';
import { TextField } from '../forms/text-field.js';
import type { AppSettings } from './app-settings.js';
import { SettingsSection, useSaveSection } from './settings-section.js';

interface Row {
  /** Stable across edits of the name, so typing in a row keeps its focus. */
  key: number;
  name: string;
  url: string;
}

let nextKey = 0;
const rowsOf = (shortcuts: Record<string, string>): Row[] =>
  Object.entries(shortcuts).map(([name, url]) => ({ key: nextKey++, name, url }));

/**
 * Page shortcuts: names a signed link's `?redirect_to=` may use instead of a URL (the Invoiced scheme,
 * `/login/{token}?redirect_to=invoices`), each pointing at an allowed target, and the one used when a link names none.
 */
export function ShortcutsSection({ settings, readOnly }: { settings: AppSettings; readOnly: boolean }) {
  const [rows, setRows] = useState(() => rowsOf(settings.page_shortcuts));
  const [fallback, setFallback] = useState(settings.default_shortcut ?? '');
  const names = rows.map((row) => row.name.trim());
  const fields = [...names.map((name) => `page_shortcuts.${name}`), 'page_shortcuts', 'default_shortcut'];
  const save = useSaveSection(fields, (saved) => {
    setRows(rowsOf(saved.page_shortcuts));
    setFallback(saved.default_shortcut ?? '');
  });
  // The API takes an object, so two rows of one name would silently become one: said here before saving.
  const twice = names.find((name, i) => name !== '' && names.indexOf(name) !== i);
  const change = (key: number, part: 'name' | 'url', value: string) =>
    setRows((list) => list.map((row) => (row.key === key ? { ...row, [part]: value } : row)));

  return (
    <SettingsSection
      title="Page shortcuts"
      intro={
        <>
          Names a link can use instead of a URL: <code>/login/{'{token}'}?redirect_to=invoices</code> sends
          the person to the target of <code>invoices</code>. Each target must be an allowed redirect.
        </>
      }
      readOnly={readOnly}
      save={save}
      onSubmit={() => {
        if (twice) return;
        save.submit({
          page_shortcuts: Object.fromEntries(rows.map((row) => [row.name.trim(), row.url.trim()])),
          default_shortcut: fallback === '' ? null : fallback,
        });
      }}
    >
      {twice && <p className="form-error">Two shortcuts are named “{twice}”: rename or remove one.</p>}
      {save.errors.fields.page_shortcuts && (
        <p className="field-error">{save.errors.fields.page_shortcuts}</p>
      )}
      {rows.length === 0 && (
        <p className="empty-state">No shortcuts yet. Add one to let links say where to go by name.</p>
      )}
      {rows.map((row, i) => {
        // The API names the row either way (`page_shortcuts.{name}`): a name it cannot take is the name's fault,
        // anything else the target's.
        const error = save.errors.fields[`page_shortcuts.${row.name.trim()}`];
        const nameIsWrong = !/^[a-z0-9_-]{1,64}$/.test(row.name.trim());
        return (
          <fieldset key={row.key} className="settings-row">
            <legend>Shortcut {i + 1}</legend>
            <TextField
              label="Name"
              value={row.name}
              spellCheck={false}
              autoCapitalize="none"
              onChange={(event) => change(row.key, 'name', event.target.value)}
              error={nameIsWrong ? error : undefined}
            />
            <TextField
              label="Target"
              type="url"
              inputMode="url"
              value={row.url}
              onChange={(event) => change(row.key, 'url', event.target.value)}
              error={nameIsWrong ? undefined : error}
            />
            {!readOnly && (
              <button
                type="button"
                aria-label={`Remove the shortcut ${row.name || i + 1}`}
                onClick={() => setRows((list) => list.filter((r) => r.key !== row.key))}
              >
                Remove
              </button>
            )}
          </fieldset>
        );
      })}
      {!readOnly && (
        <p>
          <button
            type="button"
            onClick={() => setRows((list) => [...list, { key: nextKey++, name: '', url: '' }])}
          >
            Add a shortcut
          </button>
        </p>
      )}
      <SelectField
        label="Default shortcut"
        hint="Used when a signed link names no redirect_to."
        value={fallback}
        onChange={(event) => setFallback(event.target.value)}
        error={save.errors.fields.default_shortcut}
        options={[
          { value: '', label: 'None' },
          ...names
            .filter((name, i) => name !== '' && names.indexOf(name) === i)
            .map((name) => ({ value: name, label: name })),
        ]}
      />
    </SettingsSection>
  );
}
