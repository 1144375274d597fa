import { useState } from 'react';
import { Link as RouteLink } from 'wouter';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useAppQuery } from '../ui/app-query.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { screenHref } from '../ui/screen-href.js';
import { type User, userName } from './user-types.js';

type SearchBy = 'email' | 'phone' | 'external_id';

const SEARCH_LABELS: Record<SearchBy, string> = {
  email: 'Email address',
  phone: 'Phone number',
  external_id: 'External id',
};

const PAGE_SIZE = 25;

/**
 * Every user of the app, newest first; or the one with an exact email address, phone number or external id (the
 * API looks users up, it does not search inside them: addresses are compared as normalised, so case and spaces do
 * not matter).
 */
export function UserList() {
  const [by, setBy] = useState<SearchBy>('email');
  const [text, setText] = useState('');
  const [search, setSearch] = useState<{ by: SearchBy; value: string } | null>(null);
  const pages = useCursor();
  const users = useAppQuery(
    ['users', 'list', search, pages.cursor],
    (api, app) =>
      api.v1<Page<User>>('GET', '/users', {
        app,
        query: { limit: PAGE_SIZE, cursor: pages.cursor, ...(search ? { [search.by]: search.value } : {}) },
      }),
    { placeholderData: (previous) => previous, retry: false },
  );
  const errors = formErrorsOf(users.error, [search?.by ?? by]);
  const fieldError = search ? errors.fields[search.by] : undefined;

  function submit(event: React.FormEvent) {
    event.preventDefault();
    pages.reset();
    setSearch(text.trim() === '' ? null : { by, value: text.trim() });
  }

  const rows = users.data?.data ?? [];
  return (
    <section className="screen users-screen" aria-labelledby="screen-title">
      <ScreenTitle>Users</ScreenTitle>
      <form className="user-search" aria-label="Find a user" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor="user-search-by">Find by</label>
          <select id="user-search-by" value={by} onChange={(event) => setBy(event.target.value as SearchBy)}>
            {Object.entries(SEARCH_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field user-search-text">
          <label htmlFor="user-search-text">{SEARCH_LABELS[by]}</label>
          <input
            id="user-search-text"
            type="search"
            value={text}
            onChange={(event) => setText(event.target.value)}
            aria-invalid={fieldError ? true : undefined}
            aria-describedby={fieldError ? 'user-search-error' : undefined}
            autoComplete="off"
            spellCheck={false}
          />
          {fieldError && (
            <p id="user-search-error" className="field-error">
              {fieldError}
            </p>
          )}
        </div>
        <button type="submit" className="primary">
          Find
        </button>
        {search && (
          <button
            type="button"
            className="link"
            onClick={() => {
              setText('');
              setSearch(null);
              pages.reset();
            }}
          >
            Show every user
          </button>
        )}
      </form>
      <FormError message={fieldError ? undefined : errors.form} />
      {users.isPending && <p role="status">Loading…</p>}
      {users.data &&
        (rows.length === 0 ? (
          <div className="empty-state">
            {search ? (
              <p>
                No user has the {SEARCH_LABELS[search.by].toLowerCase()} {search.value}. Check it, or find by
                something else.
              </p>
            ) : (
              <p>
                <strong>No users yet.</strong> A user is made with their first link (in{' '}
                <RouteLink href={screenHref('/links/new')}>Links</RouteLink>) or with{' '}
                <code>POST /v1/users</code>.
              </p>
            )}
          </div>
        ) : (
          <div aria-busy={users.isFetching}>
            <UserTable users={rows} />
            <Pager
              label="Users"
              page={pages.page}
              nextCursor={users.data.next_cursor}
              onNext={pages.next}
              onPrevious={pages.previous}
            />
          </div>
        ))}
    </section>
  );
}

function UserTable({ users }: { users: User[] }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">Users, newest first</caption>
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Phone number</th>
            <th scope="col">External id</th>
            <th scope="col">Created</th>
            <th scope="col">Last sign-in</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <th scope="row">
                <RouteLink href={`/${user.id}`}>{userName(user)}</RouteLink>
              </th>
              <td>{user.phone ?? '—'}</td>
              <td>{user.external_id ?? '—'}</td>
              <td>
                <LocalTime value={user.created_at} />
              </td>
              <td>{user.last_login_at ? <LocalTime value={user.last_login_at} /> : 'never'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
