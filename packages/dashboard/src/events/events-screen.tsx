import { Link, Route, Switch, useRoute } from 'wouter';
import { ScreenTitle } from '../screens/screen-title.js';
import { EventSearch } from './event-search.js';
import { LiveTail } from './live-tail.js';

/** The app's event log: search it, or follow new events as they happen. */
export default function EventsScreen() {
  const [live] = useRoute('/live');
  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenTitle>Events</ScreenTitle>
      <nav className="view-tabs" aria-label="Events views">
        <Link href="/" aria-current={live ? undefined : 'page'}>
          Search
        </Link>
        <Link href="/live" aria-current={live ? 'page' : undefined}>
          Live tail
        </Link>
      </nav>
      <Switch>
        <Route path="/live">
          <LiveTail />
        </Route>
        <Route>
          <EventSearch />
        </Route>
      </Switch>
    </section>
  );
}
