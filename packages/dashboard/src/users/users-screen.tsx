import { Route, Switch } from 'wouter';
import { UserDetailScreen } from './user-detail.js';
import { UserList } from './user-list.js';

/** Users: search and the list (`/users`), and one user with their links, sessions and events (`/users/:id`). */
export default function UsersScreen() {
  return (
    <Switch>
      <Route path="/:id">{(params) => <UserDetailScreen id={params.id} />}</Route>
      <Route>
        <UserList />
      </Route>
    </Switch>
  );
}
