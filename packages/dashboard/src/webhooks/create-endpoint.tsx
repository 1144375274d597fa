import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import type { WebhookEndpointWithSecret } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';
import { Dialog } from '../ui/dialog.js';
import { EventTypePicker } from './event-type-picker.js';
import { SecretDialog } from './secret-dialog.js';
import { useCreateEndpoint } from './webhook-hooks.js';

/** "Add endpoint": the URL, a description and the events, then the new secret, once, then the endpoint's page. */
export function CreateEndpoint() {
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[]>(['*']);
  const [created, setCreated] = useState<WebhookEndpointWithSecret>();
  const [, navigate] = useLocation();
  const create = useCreateEndpoint();
  const errors = formErrorsOf(create.error, ['url', 'event_types', 'description']);

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      {
        url: url.trim(),
        event_types: types,
        ...(description.trim() ? { description: description.trim() } : {}),
      },
      {
        onSuccess: (endpoint) => {
          setOpen(false);
          setCreated(endpoint);
        },
      },
    );
  }

  return (
    <>
      <button
        type="button"
        className="primary"
        onClick={() => {
          create.reset();
          setUrl('');
          setDescription('');
          setTypes(['*']);
          setOpen(true);
        }}
      >
        Add endpoint
      </button>
      <Dialog open={open} title="Add a webhook endpoint" onClose={() => setOpen(false)} wide>
        <form onSubmit={submit} noValidate>
          <FormError message={errors.form} />
          <TextField
            label="URL"
            hint="Where Latchkey POSTs each event, http(s). It must be reachable from this server."
            type="url"
            inputMode="url"
            autoComplete="off"
            required
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            error={errors.fields.url}
          />
          <TextField
            label="Description (optional)"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            error={errors.fields.description}
          />
          <EventTypePicker value={types} onChange={setTypes} error={errors.fields.event_types} />
          <div className="dialog-actions">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={create.isPending || types.length === 0}>
              {create.isPending ? 'Adding…' : 'Add endpoint'}
            </button>
          </div>
        </form>
      </Dialog>
      <SecretDialog
        title="Endpoint added"
        secret={created?.secret}
        onClose={() => {
          const id = created?.id;
          setCreated(undefined);
          if (id) navigate(`/${id}`);
        }}
      />
    </>
  );
}
