import { type FormEvent, useState } from 'react';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';
import { useAppMutation } from '../ui/app-query.js';
import { Dialog } from '../ui/dialog.js';
import { API_KEYS, type ApiKey } from './key-types.js';

/** A new label for an API key (PATCH /v1/api-keys/{key_id}); the key itself is untouched. */
export function RenameKeyButton({ apiKey }: { apiKey: ApiKey }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)} aria-label={`Rename ${apiKey.label}`}>
        Rename
      </button>
      <Dialog open={open} title={`Rename ${apiKey.label}`} onClose={() => setOpen(false)}>
        <RenameForm apiKey={apiKey} onDone={() => setOpen(false)} />
      </Dialog>
    </>
  );
}

function RenameForm({ apiKey, onDone }: { apiKey: ApiKey; onDone: () => void }) {
  const [label, setLabel] = useState(apiKey.label);
  const rename = useAppMutation(
    (api, appId, value: string) =>
      api.v1<ApiKey>('PATCH', `/api-keys/${apiKey.id}`, { app: appId, body: { label: value } }),
    { invalidates: [API_KEYS], onSuccess: onDone },
  );
  const errors = formErrorsOf(rename.error, ['label']);
  function submit(event: FormEvent) {
    event.preventDefault();
    rename.mutate(label.trim());
  }
  return (
    <form onSubmit={submit} noValidate>
      <p>
        The key <code>{apiKey.key_hint}</code> keeps working as it is; only its name changes.
      </p>
      <FormError message={errors.form} />
      <TextField
        label="Label"
        value={label}
        onChange={(event) => setLabel(event.target.value)}
        error={errors.fields.label}
        autoFocus
      />
      <div className="dialog-actions">
        <button type="button" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="primary" disabled={rename.isPending}>
          Save the label
        </button>
      </div>
    </form>
  );
}
