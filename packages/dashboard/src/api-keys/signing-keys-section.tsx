import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api-context.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { appKey, useAppId, useAppQuery } from '../ui/app-query.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { StatusBadge } from '../ui/status-badge.js';
import { type NewSecret, SIGNING_KEYS, type SigningKey } from './key-types.js';
import { NewKeyDialog } from './new-key-dialog.js';
import { ScrollingTable } from './scrolling-table.js';

type Opened = { kind: 'new' } | { kind: 'rotate'; key: SigningKey } | null;

/**
 * The HS256 secrets the app's backend signs stateless links with (docs/signed-links.md). Several may be active at
 * once, which is how a rotation works: a new key, then the old one revoked once the backend signs with the new one.
 */
export function SigningKeysSection({ owner }: { owner: boolean }) {
  const api = useApi();
  const appId = useAppId();
  const client = useQueryClient();
  const { cursor, page, next, previous } = useCursor();
  const keys = useAppQuery([...SIGNING_KEYS, cursor], (a, app) =>
    a.v1<Page<SigningKey>>('GET', '/signing-keys', { app, query: { cursor, limit: 20 } }),
  );
  const [opened, setOpened] = useState<Opened>(null);

  async function create(label: string): Promise<NewSecret> {
    const made = await api.v1<SigningKey & { secret: string }>('POST', '/signing-keys', {
      app: appId,
      body: { label },
    });
    return { id: made.kid, label: made.label, secret: made.secret };
  }
  const reread = () => client.invalidateQueries({ queryKey: appKey(appId, ...SIGNING_KEYS) });

  return (
    <section className="keys-section" aria-labelledby="signing-keys-title">
      <div className="keys-heading">
        <h2 id="signing-keys-title">Signing keys</h2>
        {owner && (
          <button type="button" className="primary" onClick={() => setOpened({ kind: 'new' })}>
            New signing key
          </button>
        )}
      </div>
      <p className="muted">
        Secrets your backend signs stateless links with (HS256, the key id in the token's <code>kid</code>).
        Revoking one stops every link it signed at once.
      </p>
      {keys.isPending && <p role="status">Loading…</p>}
      <FormError message={keys.error?.message} />
      {keys.data &&
        (keys.data.data.length === 0 && page === 1 ? (
          <p className="empty-state">
            No signing key yet: the app can only send links Latchkey makes.{' '}
            {owner ? 'Make one with New signing key' : 'An owner can make one'} to sign links in your backend.
          </p>
        ) : (
          <ScrollingTable>
            <table className="keys-table">
              <caption className="keys-caption">Signing keys of this app, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Key id</th>
                  <th scope="col">Secret</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  {owner && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {keys.data.data.map((key) => (
                  <tr key={key.kid}>
                    <th scope="row" data-label="Label">
                      {key.label}
                    </th>
                    <td data-label="Key id">
                      <code>{key.kid}</code>
                    </td>
                    <td data-label="Secret">
                      <code>{key.secret_hint}</code>
                    </td>
                    <td data-label="Created">
                      <LocalTime value={key.created_at} />
                    </td>
                    <td data-label="Last used">
                      {key.last_used_at ? (
                        <LocalTime value={key.last_used_at} />
                      ) : (
                        <span className="muted">never</span>
                      )}
                    </td>
                    <td data-label="Status">
                      <StatusBadge status={key.status} tone={key.status === 'active' ? 'good' : 'bad'} />
                    </td>
                    {owner && (
                      <td data-label="Actions">
                        {key.status === 'active' && (
                          <div className="key-actions">
                            <button
                              type="button"
                              aria-label={`Rotate ${key.label} (${key.kid})`}
                              onClick={() => setOpened({ kind: 'rotate', key })}
                            >
                              Rotate
                            </button>
                            <ConfirmButton
                              label="Revoke"
                              title={`Revoke ${key.label}?`}
                              onConfirm={() => api.v1('DELETE', `/signing-keys/${key.kid}`, { app: appId })}
                              onDone={reread}
                            >
                              <p>
                                Every link signed with <code>{key.kid}</code> stops working at once, even
                                those not yet used. This cannot be undone.
                              </p>
                            </ConfirmButton>
                          </div>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollingTable>
        ))}
      <Pager
        label="Signing keys"
        page={page}
        nextCursor={keys.data?.next_cursor}
        onNext={next}
        onPrevious={previous}
      />
      <NewKeyDialog
        open={opened !== null}
        onClose={() => setOpened(null)}
        title={opened?.kind === 'rotate' ? `Rotate ${opened.key.label}` : 'New signing key'}
        intro={
          opened?.kind === 'rotate' ? (
            <p>
              A new signing key is made with this label. The old one (<code>{opened.key.kid}</code>) keeps
              working, and the links it signed with it, until you revoke it.
            </p>
          ) : (
            <p>Your backend signs links with the secret, and puts the key id in each token's header.</p>
          )
        }
        label={opened?.kind === 'rotate' ? opened.key.label : ''}
        secretName="signing secret"
        keptAs="it encrypted, to check the links it signs"
        submitLabel={opened?.kind === 'rotate' ? 'Make the new key' : 'Make the key'}
        create={create}
        invalidates={[SIGNING_KEYS]}
        afterwards={
          opened?.kind === 'rotate' ? (
            <p>
              The old key <code>{opened.key.kid}</code> still works. Once your backend signs with the new one,
              revoke the old one in the list.
            </p>
          ) : undefined
        }
      />
    </section>
  );
}
