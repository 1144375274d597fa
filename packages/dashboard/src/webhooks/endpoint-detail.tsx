import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import type { WebhookEndpoint } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { EditEventTypes } from './edit-event-types.js';
import { EndpointAttempts } from './endpoint-attempts.js';
import { EndpointStatusBadge, eventTypesText } from './endpoint-status.js';
import { SecretDialog } from './secret-dialog.js';
import { TestEventButton } from './test-event-button.js';
import { useDeleteEndpoint, useEndpoint, useRotateSecret, useUpdateEndpoint } from './webhook-hooks.js';

export function EndpointDetail({ id }: { id: string }) {
  const endpoint = useEndpoint(id);
  return (
    <>
      <p>
        <Link href="/">← All endpoints</Link>
      </p>
      <ScreenTitle>Webhook endpoint</ScreenTitle>
      {endpoint.isPending && <p role="status">Loading…</p>}
      <FormError message={endpoint.error?.message} />
      {endpoint.data && <Endpoint endpoint={endpoint.data} />}
    </>
  );
}

function Endpoint({ endpoint }: { endpoint: WebhookEndpoint }) {
  const { operator } = useSignedIn();
  const mayChange = operator.role === 'owner' || operator.role === 'admin';
  return (
    <>
      <dl className="facts">
        <dt>URL</dt>
        <dd className="url-cell">
          <code>{endpoint.url}</code>
        </dd>
        {endpoint.description && (
          <>
            <dt>Description</dt>
            <dd>{endpoint.description}</dd>
          </>
        )}
        <dt>Status</dt>
        <dd>
          <EndpointStatusBadge endpoint={endpoint} />{' '}
          {endpoint.disabled_reason === 'failing' && (
            <span className="muted">
              disabled after failing for five days; fix the receiver, then enable it.
            </span>
          )}
          {endpoint.status === 'enabled' && endpoint.failing_since && (
            <span className="muted">
              every delivery has failed since <LocalTime value={endpoint.failing_since} />
            </span>
          )}
        </dd>
        <dt>Events</dt>
        <dd>{eventTypesText(endpoint.event_types)}</dd>
        <dt>Secret</dt>
        <dd>
          <code>{endpoint.secret_hint}</code>
          {endpoint.previous_secret_expires_at && (
            <span className="muted">
              {' '}
              (the previous one signs too until <LocalTime value={endpoint.previous_secret_expires_at} />)
            </span>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <LocalTime value={endpoint.created_at} />
        </dd>
        <dt>Id</dt>
        <dd>
          <code>{endpoint.id}</code>
        </dd>
      </dl>
      {mayChange && <EndpointActions endpoint={endpoint} />}
      <EndpointAttempts endpoint={endpoint} mayRedeliver={mayChange} />
    </>
  );
}

function EndpointActions({ endpoint }: { endpoint: WebhookEndpoint }) {
  const update = useUpdateEndpoint(endpoint.id);
  const rotate = useRotateSecret(endpoint.id);
  const remove = useDeleteEndpoint(endpoint.id);
  const [secret, setSecret] = useState<string>();
  const [, navigate] = useLocation();
  const enabled = endpoint.status === 'enabled';
  return (
    <>
      <div className="toolbar actions">
        <EditEventTypes endpoint={endpoint} />
        <button
          type="button"
          onClick={() => update.mutate({ enabled: !enabled })}
          disabled={update.isPending}
        >
          {enabled ? 'Disable' : 'Enable'}
        </button>
        <ConfirmButton
          label="Rotate secret"
          title="Rotate the signing secret?"
          danger={false}
          onConfirm={() => rotate.mutateAsync(undefined).then((rotated) => setSecret(rotated.secret))}
        >
          <p>
            A new secret signs every delivery from now on. The current one keeps signing beside it for 24
            hours, so your receiver has a day to switch.
          </p>
        </ConfirmButton>
        <TestEventButton endpointId={endpoint.id} />
        <ConfirmButton
          label="Delete"
          title="Delete this endpoint?"
          onConfirm={() => remove.mutateAsync(undefined)}
          onDone={() => navigate('/')}
        >
          <p>
            <code>{endpoint.url}</code> gets no more events, its delivery log is deleted, and messages still
            queued for it are dropped. This cannot be undone.
          </p>
        </ConfirmButton>
      </div>
      <FormError message={update.error?.message} />
      <SecretDialog
        title="New signing secret"
        secret={secret}
        note="The previous secret keeps signing beside this one for 24 hours."
        onClose={() => setSecret(undefined)}
      />
    </>
  );
}
