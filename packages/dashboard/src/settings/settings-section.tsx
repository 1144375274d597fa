import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { FormError } from '../forms/form-error.js';
import { type FormErrors, formErrorsOf, NO_ERRORS } from '../forms/form-errors.js';
import { useAppMutation } from '../ui/app-query.js';
import { type AppSettings, patchSettings, SETTINGS_KEY } from './app-settings.js';

/**
 * Saving one section: a PATCH of that section's fields alone, so that a mistake in one section never holds back
 * another, and what the operator left half-typed elsewhere is neither sent nor lost. The API's error lands next to
 * the field it names (`param`), if the section has it, else above the section's fields.
 */
export function useSaveSection(fields: readonly string[], onSaved: (saved: AppSettings) => void) {
  const [saved, setSaved] = useState(false);
  const save = useAppMutation((api, appId, patch: object) => patchSettings(api, appId, patch), {
    invalidates: [SETTINGS_KEY],
    onSuccess: (settings) => {
      setSaved(true);
      onSaved(settings);
    },
  });
  const errors: FormErrors = save.error ? formErrorsOf(save.error, fields) : NO_ERRORS;
  return {
    errors,
    saved: saved && !save.isPending && !save.error,
    pending: save.isPending,
    submit(patch: object) {
      setSaved(false);
      save.mutate(patch);
    },
  };
}

interface SectionProps {
  title: string;
  /** What the settings of this section decide, in a sentence. */
  intro: ReactNode;
  readOnly: boolean;
  save: ReturnType<typeof useSaveSection>;
  onSubmit: () => void;
  children: ReactNode;
  /** Shown after the form, outside it (the redirect tester, which every role may use). */
  after?: ReactNode;
}

/** A section of the settings: its heading, its fields (disabled for roles that may only read) and its Save. */
export function SettingsSection({ title, intro, readOnly, save, onSubmit, children, after }: SectionProps) {
  const id = useId();
  // Focus the first field the server refused, so keyboard and screen-reader users land on it.
  const firstError = Object.keys(save.errors.fields)[0];
  useEffect(() => {
    if (!firstError) return;
    document.querySelector<HTMLElement>(`[aria-labelledby="${id}"] [aria-invalid="true"]`)?.focus();
  }, [firstError, id]);
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit();
  }
  return (
    <section className="settings-section" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      <p className="muted">{intro}</p>
      <form onSubmit={submit} noValidate aria-labelledby={id}>
        <FormError message={save.errors.form} />
        <fieldset disabled={readOnly} className="settings-fields">
          {children}
        </fieldset>
        {!readOnly && (
          <div className="settings-save">
            <button type="submit" className="primary" disabled={save.pending}>
              {save.pending ? 'Saving…' : `Save ${title.toLowerCase()}`}
            </button>
            <span role="status" className="muted">
              {save.saved ? 'Saved.' : ''}
            </span>
          </div>
        )}
      </form>
      {after}
    </section>
  );
}
