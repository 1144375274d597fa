import { type FormEvent, type ReactNode, useState } from 'react';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';
import { useAppMutation } from '../ui/app-query.js';
import { CopyButton } from '../ui/copy-button.js';
import { Dialog } from '../ui/dialog.js';
import type { NewSecret } from './key-types.js';

interface NewKeyDialogProps {
  open: boolean;
  onClose: () => void;
  /** "New API key", "Rotate deploy". */
  title: string;
  intro: ReactNode;
  /** The label the field starts with (a rotation keeps the old key's). */
  label?: string;
  /** What the secret is called in the answer's view: "API key", "signing secret". */
  secretName: string;
  /** How Latchkey keeps it, after "Latchkey keeps": "only a hash of it". */
  keptAs: string;
  submitLabel: string;
  create: (label: string) => Promise<NewSecret>;
  /** The list keys to read again once the key exists. */
  invalidates: readonly (readonly unknown[])[];
  /** Said under the secret once it is made (a rotation says what to do with the old key). */
  afterwards?: ReactNode;
}

/**
 * Makes a key and shows its secret, once: the secret lives only in this dialog's state, never in the query cache,
 * so closing the dialog or reloading the page loses it for good, as the dialog says. Making a key asks for a fresh
 * code first (the client's reauth dialog opens above this one).
 */
export function NewKeyDialog(props: NewKeyDialogProps) {
  return (
    <Dialog open={props.open} title={props.title} onClose={props.onClose} wide>
      {/* Mounted only while open, so every opening starts from an empty form and no secret. */}
      <NewKeyForm {...props} />
    </Dialog>
  );
}

function NewKeyForm({
  onClose,
  intro,
  label = '',
  secretName,
  keptAs,
  submitLabel,
  create,
  invalidates,
  afterwards,
}: NewKeyDialogProps) {
  const [typed, setTyped] = useState(label);
  const make = useAppMutation((_api, _appId, value: string) => create(value), { invalidates });
  const errors = formErrorsOf(make.error, ['label']);

  if (make.data) {
    const made = make.data;
    return (
      <div className="new-secret">
        <p>
          <strong>Copy this {secretName} now. It will not be shown again</strong>: Latchkey keeps {keptAs},
          and no page or call can show it later. If it is lost, make a new one and revoke this one.
        </p>
        <p className="muted">
          {made.label} · <code>{made.id}</code>
        </p>
        <label className="secret-label" htmlFor="new-secret-value">
          The {secretName}
        </label>
        <output id="new-secret-value" className="secret-value">
          {made.secret}
        </output>
        <CopyButton text={made.secret} label={`Copy the ${secretName}`} />
        {afterwards}
        <div className="dialog-actions">
          <button type="button" className="primary" onClick={onClose}>
            I have copied it
          </button>
        </div>
      </div>
    );
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    make.mutate(typed.trim());
  }
  return (
    <form onSubmit={submit} noValidate>
      <div>{intro}</div>
      <FormError message={errors.form} />
      <TextField
        label="Label"
        hint="Where the key will be used, so you know which to revoke later: “production backend”, “CI”."
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        error={errors.fields.label}
        autoFocus
      />
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={make.isPending}>
          {make.isPending ? 'Working…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
