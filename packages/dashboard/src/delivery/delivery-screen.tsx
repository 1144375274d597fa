import { Route, Switch } from 'wouter';
import { ScreenTitle } from '../screens/screen-title.js';
import { MessageDetail } from './message-detail.js';
import { MessageList } from './message-list.js';
import { TransportsPanel } from './transports-panel.js';

/** The app's email and SMS messages with every attempt, a retry for given-up ones, and the server's transports. */
export default function DeliveryScreen() {
  return (
    <section className="screen" aria-labelledby="screen-title">
      <Switch>
        <Route path="/:id">{(params) => <MessageDetail id={params.id} />}</Route>
        <Route>
          <ScreenTitle>Delivery</ScreenTitle>
          <MessageList />
          <TransportsPanel />
        </Route>
      </Switch>
    </section>
  );
}
