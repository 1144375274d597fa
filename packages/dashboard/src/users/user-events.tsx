import { Link as RouteLink } from 'wouter';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { useAppQuery } from '../ui/app-query.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { screenHref } from '../ui/screen-href.js';
import type { AppEvent } from './user-types.js';

/** What happened to the user, their links and sessions, newest first (GET /v1/events?user_id=). */
export function UserEvents({ userId }: { userId: string }) {
  const pages = useCursor();
  const events = useAppQuery(
    ['events', userId, pages.cursor],
    (api, app) =>
      api.v1<Page<AppEvent>>('GET', '/events', {
        app,
        query: { user_id: userId, limit: 20, cursor: pages.cursor },
      }),
    { placeholderData: (previous) => previous },
  );
  return (
    <section aria-labelledby="user-events-title">
      <h2 id="user-events-title">Events</h2>
      <FormError message={events.error?.message} />
      {events.data &&
        (events.data.data.length === 0 ? (
          <p className="empty-state">Nothing has happened to this user yet.</p>
        ) : (
          <>
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Events of the user, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Event</th>
                    <th scope="col">About</th>
                  </tr>
                </thead>
                <tbody>
                  {events.data.data.map((event) => (
                    <tr key={event.id}>
                      <td>
                        <LocalTime value={event.created_at} />
                      </td>
                      <th scope="row">{event.type}</th>
                      <td>
                        <Subject id={event.subject_id} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              label="Events"
              page={pages.page}
              nextCursor={events.data.next_cursor}
              onNext={pages.next}
              onPrevious={pages.previous}
            />
          </>
        ))}
    </section>
  );
}

/** What an event is about; a link leads to its page, where its whole story is. */
function Subject({ id }: { id: string | null }) {
  if (id === null) return <>—</>;
  if (id.startsWith('ml_'))
    return (
      <RouteLink href={screenHref(`/links/${id}`)}>
        <code>{id}</code>
      </RouteLink>
    );
  return <code>{id}</code>;
}
