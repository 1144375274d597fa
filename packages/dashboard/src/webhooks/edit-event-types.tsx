import { type FormEvent, useState } from 'react';
import type { WebhookEndpoint } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { Dialog } from '../ui/dialog.js';
import { EventTypePicker } from './event-type-picker.js';
import { useUpdateEndpoint } from './webhook-hooks.js';

/** Changes which events the endpoint receives; from the next event on (what was queued stays queued). */
export function EditEventTypes({ endpoint }: { endpoint: WebhookEndpoint }) {
  const [open, setOpen] = useState(false);
  const [types, setTypes] = useState<string[]>(endpoint.event_types);
  const update = useUpdateEndpoint(endpoint.id);
  const errors = formErrorsOf(update.error, ['event_types']);
  function submit(event: FormEvent) {
    event.preventDefault();
    update.mutate({ event_types: types }, { onSuccess: () => setOpen(false) });
  }
  return (
    <>
      <button
        type="button"
        onClick={() => {
          update.reset();
          setTypes(endpoint.event_types);
          setOpen(true);
        }}
      >
        Edit events
      </button>
      <Dialog open={open} title="Events to send" onClose={() => setOpen(false)} wide>
        <form onSubmit={submit} noValidate>
          <FormError message={errors.form} />
          <EventTypePicker value={types} onChange={setTypes} error={errors.fields.event_types} />
          <div className="dialog-actions">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={update.isPending || types.length === 0}>
              {update.isPending ? 'Saving…' : 'Save'}
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
