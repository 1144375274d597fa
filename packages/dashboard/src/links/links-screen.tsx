import { Route, Switch } from 'wouter';
import { LinkDetailScreen } from './link-detail.js';
import { LinkList } from './link-list.js';
import { NewLink } from './new-link.js';

/** Links: the list (`/links`), a new link (`/links/new`) and one link's story (`/links/:id`). */
export default function LinksScreen() {
  return (
    <Switch>
      <Route path="/new">
        <NewLink />
      </Route>
      <Route path="/:id">{(params) => <LinkDetailScreen id={params.id} />}</Route>
      <Route>
        <LinkList />
      </Route>
    </Switch>
  );
}
