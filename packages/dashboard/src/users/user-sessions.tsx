import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { useAppMutation, useAppQuery } from '../ui/app-query.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { StatusBadge } from '../ui/status-badge.js';
import type { UserSession } from './user-types.js';

/** The user's sessions, newest first (GET /v1/sessions?user_id=), and ending one that is still active. */
export function UserSessions({ userId, mayRevoke }: { userId: string; mayRevoke: boolean }) {
  const pages = useCursor();
  const sessions = useAppQuery(
    ['sessions', userId, pages.cursor],
    (api, app) =>
      api.v1<Page<UserSession>>('GET', '/sessions', {
        app,
        query: { user_id: userId, limit: 10, cursor: pages.cursor },
      }),
    { placeholderData: (previous) => previous },
  );
  const revoke = useAppMutation((api, app, id: string) => api.v1('POST', `/sessions/${id}/revoke`, { app }), {
    invalidates: [
      ['sessions', userId],
      ['events', userId],
    ],
  });
  return (
    <section aria-labelledby="user-sessions-title">
      <h2 id="user-sessions-title">Sessions</h2>
      <FormError message={sessions.error?.message} />
      {sessions.data &&
        (sessions.data.data.length === 0 ? (
          <p className="empty-state">No sessions: the user has not signed in.</p>
        ) : (
          <>
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">The user's sessions, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">Status</th>
                    <th scope="col">Signed in with</th>
                    <th scope="col">Started</th>
                    <th scope="col">Ends</th>
                    {mayRevoke && <th scope="col">Action</th>}
                  </tr>
                </thead>
                <tbody>
                  {sessions.data.data.map((session) => (
                    <tr key={session.id}>
                      <th scope="row">
                        <code>{session.id}</code>
                      </th>
                      <td>
                        <StatusBadge
                          status={session.status}
                          tone={
                            session.status === 'active'
                              ? 'good'
                              : session.status === 'revoked'
                                ? 'bad'
                                : 'plain'
                          }
                        />
                      </td>
                      <td>{session.amr.join(', ')}</td>
                      <td>
                        <LocalTime value={session.created_at} />
                      </td>
                      <td>
                        <LocalTime value={session.revoked_at ?? session.expires_at} />
                      </td>
                      {mayRevoke && (
                        <td>
                          {session.status === 'active' && (
                            <ConfirmButton
                              label="Revoke"
                              title="Revoke this session?"
                              onConfirm={() => revoke.mutateAsync(session.id)}
                            >
                              <p>
                                The user is signed out where this session is used, once the app next checks it
                                (its refresh token stops working at once).
                              </p>
                            </ConfirmButton>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              label="Sessions"
              page={pages.page}
              nextCursor={sessions.data.next_cursor}
              onNext={pages.next}
              onPrevious={pages.previous}
            />
          </>
        ))}
    </section>
  );
}
