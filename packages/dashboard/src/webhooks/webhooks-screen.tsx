import { Route, Switch } from 'wouter';
import { EndpointDetail } from './endpoint-detail.js';
import { EndpointList } from './endpoint-list.js';

/** The app's webhook endpoints: add and change them, rotate their secrets, and follow every delivery. */
export default function WebhooksScreen() {
  return (
    <section className="screen" aria-labelledby="screen-title">
      <Switch>
        <Route path="/:id">{(params) => <EndpointDetail id={params.id} />}</Route>
        <Route>
          <EndpointList />
        </Route>
      </Switch>
    </section>
  );
}
