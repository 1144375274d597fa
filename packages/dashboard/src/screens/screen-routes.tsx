import { Redirect, Route, Switch } from 'wouter';
import { OverviewScreen } from '../overview/overview-screen.js';
import { SCREENS } from '../screens.js';
import { NotFoundScreen } from './not-found-screen.js';
import { PlaceholderScreen } from './placeholder-screen.js';

/** Which screen each path shows; screens not built yet say so. */
export function ScreenRoutes() {
  return (
    <Switch>
      <Route path="/">
        <OverviewScreen />
      </Route>
      {/* A signed-in operator who reloads the sign-in page, or arrives from the emailed link, is home. */}
      <Route path="/sign-in">
        <Redirect to="/" replace />
      </Route>
      {SCREENS.filter((screen) => screen.path !== '/').map((screen) => (
        <Route key={screen.path} path={screen.path}>
          <PlaceholderScreen screen={screen} />
        </Route>
      ))}
      <Route>
        <NotFoundScreen />
      </Route>
    </Switch>
  );
}
