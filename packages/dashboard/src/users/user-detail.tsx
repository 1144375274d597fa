import type { ReactNode } from 'react';
import { Link as RouteLink } from 'wouter';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { useAppQuery } from '../ui/app-query.js';
import { SendSignInLink } from './send-sign-in-link.js';
import { UserEvents } from './user-events.js';
import { UserLinks } from './user-links.js';
import { UserSessions } from './user-sessions.js';
import { type User, userName } from './user-types.js';

/** `/users/:id`: who the user is, a sign-in link sent to them, and their links, sessions and events. */
export function UserDetailScreen({ id }: { id: string }) {
  const user = useAppQuery(['users', 'detail', id], (api, app) =>
    api.v1<User>('GET', `/users/${id}`, { app }),
  );
  const { operator } = useSignedIn();
  return (
    <section className="screen users-screen" aria-labelledby="screen-title">
      <p className="breadcrumb">
        <RouteLink href="/">Users</RouteLink>
      </p>
      <ScreenTitle>{user.data ? userName(user.data) : 'User'}</ScreenTitle>
      <FormError message={user.error?.message} />
      {user.isPending && <p role="status">Loading…</p>}
      {user.data && (
        <>
          <UserFacts user={user.data} />
          {operator.role !== 'viewer' && <SendSignInLink user={user.data} />}
          <UserLinks userId={user.data.id} />
          <UserSessions userId={user.data.id} mayRevoke={operator.role !== 'viewer'} />
          <UserEvents userId={user.data.id} />
        </>
      )}
    </section>
  );
}

function UserFacts({ user }: { user: User }) {
  const verified = (yes: boolean) => (yes ? ' (verified)' : ' (not verified)');
  return (
    <dl className="facts">
      <Fact name="Email address">{user.email ? `${user.email}${verified(user.email_verified)}` : '—'}</Fact>
      <Fact name="Phone number">{user.phone ? `${user.phone}${verified(user.phone_verified)}` : '—'}</Fact>
      <Fact name="External id">{user.external_id ?? '—'}</Fact>
      <Fact name="Created">
        <LocalTime value={user.created_at} />
      </Fact>
      <Fact name="Last sign-in">
        {user.last_login_at ? <LocalTime value={user.last_login_at} /> : 'never'}
      </Fact>
      <Fact name="Id">
        <code>{user.id}</code>
      </Fact>
      {Object.keys(user.metadata).length > 0 && (
        <Fact name="Metadata">
          <code>{JSON.stringify(user.metadata)}</code>
        </Fact>
      )}
    </dl>
  );
}

function Fact({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}
