import { useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api-context.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { appKey, useAppId, useAppQuery } from '../ui/app-query.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { StatusBadge } from '../ui/status-badge.js';
import { SESSION_KEYS, type SessionKey } from './key-types.js';
import { ScrollingTable } from './scrolling-table.js';

/**
 * The keys session tokens are signed with (ES256, published in the JWKS). They belong to the whole installation,
 * not to one app: rotating here rotates them for every app.
 */
export function SessionKeysSection({ owner }: { owner: boolean }) {
  const api = useApi();
  const appId = useAppId();
  const client = useQueryClient();
  const keys = useAppQuery(SESSION_KEYS, (a, app) =>
    a.v1<{ data: SessionKey[] }>('GET', '/session-keys', { app }),
  );
  return (
    <section className="keys-section" aria-labelledby="session-keys-title">
      <div className="keys-heading">
        <h2 id="session-keys-title">Session keys</h2>
        {owner && (
          <ConfirmButton
            label="Rotate session keys"
            title="Rotate the session keys?"
            danger={false}
            onConfirm={() => api.v1('POST', '/session-keys/rotate', { app: appId })}
            onDone={() => client.invalidateQueries({ queryKey: appKey(appId, ...SESSION_KEYS) })}
          >
            <p>
              A new key signs every app's session tokens from now on. The current one is retired but stays in
              the JWKS for 24 hours, so tokens it signed keep verifying until they expire. Nobody is signed
              out.
            </p>
          </ConfirmButton>
        )}
      </div>
      <p className="muted">
        Session tokens of every app of this Latchkey are signed with these; your backend checks them with the
        public keys at <code>/.well-known/jwks.json</code>. The private keys never leave the server.
      </p>
      {keys.isPending && <p role="status">Loading…</p>}
      <FormError message={keys.error?.message} />
      {keys.data && (
        <ScrollingTable>
          <table className="keys-table">
            <caption className="keys-caption">Session keys of this Latchkey</caption>
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Status</th>
                <th scope="col">In the JWKS</th>
                <th scope="col">Created</th>
                <th scope="col">Retired</th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((key) => (
                <tr key={key.kid}>
                  <th scope="row" data-label="Key id">
                    <code>{key.kid}</code>
                  </th>
                  <td data-label="Status">
                    <StatusBadge status={key.status} tone={key.status === 'active' ? 'good' : 'plain'} />
                  </td>
                  <td data-label="In the JWKS">{key.published ? 'yes' : 'no'}</td>
                  <td data-label="Created">
                    <LocalTime value={key.created_at} />
                  </td>
                  <td data-label="Retired">
                    {key.retired_at ? <LocalTime value={key.retired_at} /> : <span className="muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      )}
    </section>
  );
}
