import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api-context.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { appKey, useAppId, useAppQuery } from '../ui/app-query.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { StatusBadge } from '../ui/status-badge.js';
import { API_KEYS, type ApiKey, type NewSecret } from './key-types.js';
import { NewKeyDialog } from './new-key-dialog.js';
import { RenameKeyButton } from './rename-key-dialog.js';
import { ScrollingTable } from './scrolling-table.js';

type Opened = { kind: 'new' } | { kind: 'rotate'; key: ApiKey } | null;

/**
 * The app's API keys: the backend's way in. Owners make, rename, rotate and revoke them; everyone else reads the
 * list. Rotating makes a new key with the same label and leaves the old one working until it is revoked, so the
 * backend can move to the new key first.
 */
export function ApiKeysSection({ owner }: { owner: boolean }) {
  const api = useApi();
  const appId = useAppId();
  const client = useQueryClient();
  const { cursor, page, next, previous } = useCursor();
  const keys = useAppQuery([...API_KEYS, cursor], (a, app) =>
    a.v1<Page<ApiKey>>('GET', '/api-keys', { app, query: { cursor, limit: 20 } }),
  );
  const [opened, setOpened] = useState<Opened>(null);

  async function create(label: string): Promise<NewSecret> {
    const made = await api.v1<ApiKey & { key: string }>('POST', '/api-keys', { app: appId, body: { label } });
    return { id: made.id, label: made.label, secret: made.key };
  }
  const revoke = (key: ApiKey) => () => api.v1('DELETE', `/api-keys/${key.id}`, { app: appId });
  const reread = () => client.invalidateQueries({ queryKey: appKey(appId, ...API_KEYS) });

  return (
    <section className="keys-section" aria-labelledby="api-keys-title">
      <div className="keys-heading">
        <h2 id="api-keys-title">API keys</h2>
        {owner && (
          <button type="button" className="primary" onClick={() => setOpened({ kind: 'new' })}>
            New API key
          </button>
        )}
      </div>
      <p className="muted">
        Your backend calls Latchkey with one of these, as <code>Authorization: Bearer lk_sk_…</code>. Each key
        acts on this app alone.
      </p>
      {keys.isPending && <p role="status">Loading…</p>}
      <FormError message={keys.error?.message} />
      {keys.data &&
        (keys.data.data.length === 0 && page === 1 ? (
          <p className="empty-state">
            This app has no API key. {owner ? 'Make one with New API key' : 'An owner can make one'}, and give
            it to your backend.
          </p>
        ) : (
          <ScrollingTable>
            <table className="keys-table">
              <caption className="keys-caption">API keys of this app, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Key</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  {owner && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {keys.data.data.map((key) => (
                  <tr key={key.id}>
                    <th scope="row" data-label="Label">
                      {key.label}
                    </th>
                    <td data-label="Key">
                      <code>{key.key_hint}</code>
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
                      {key.revoked_at ? (
                        <StatusBadge status="revoked" tone="bad" />
                      ) : (
                        <StatusBadge status="active" tone="good" />
                      )}
                    </td>
                    {owner && (
                      <td data-label="Actions">
                        <div className="key-actions">
                          <RenameKeyButton apiKey={key} />
                          {!key.revoked_at && (
                            <>
                              <button
                                type="button"
                                aria-label={`Rotate ${key.label}`}
                                onClick={() => setOpened({ kind: 'rotate', key })}
                              >
                                Rotate
                              </button>
                              <ConfirmButton
                                label="Revoke"
                                title={`Revoke ${key.label}?`}
                                onConfirm={revoke(key)}
                                onDone={reread}
                              >
                                <p>
                                  Every call with <code>{key.key_hint}</code> is refused from now on (401).
                                  This cannot be undone.
                                </p>
                              </ConfirmButton>
                            </>
                          )}
                        </div>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollingTable>
        ))}
      <Pager
        label="API keys"
        page={page}
        nextCursor={keys.data?.next_cursor}
        onNext={next}
        onPrevious={previous}
      />
      <NewKeyDialog
        open={opened !== null}
        onClose={() => setOpened(null)}
        title={opened?.kind === 'rotate' ? `Rotate ${opened.key.label}` : 'New API key'}
        intro={
          opened?.kind === 'rotate' ? (
            <p>
              A new key is made with this label. The old key (<code>{opened.key.key_hint}</code>) keeps
              working until you revoke it: put the new key in place first, then revoke the old one in the
              list.
            </p>
          ) : (
            <p>The key can do everything the API can for this app. You will see it once.</p>
          )
        }
        label={opened?.kind === 'rotate' ? opened.key.label : ''}
        secretName="API key"
        keptAs="only a hash of it"
        submitLabel={opened?.kind === 'rotate' ? 'Make the new key' : 'Make the key'}
        create={create}
        invalidates={[API_KEYS]}
        afterwards={
          opened?.kind === 'rotate' ? (
            <p>
              The old key <code>{opened.key.key_hint}</code> still works. Once your backend uses the new one,
              revoke the old one in the list.
            </p>
          ) : undefined
        }
      />
    </section>
  );
}
