import { type ComponentType, lazy, Suspense } from 'react';
import { Route, Switch } from 'wouter';
import { OverviewScreen } from '../overview/overview-screen.js';
import { SCREENS, type ScreenEntry } from '../screens.js';
import { ReturnAfterSignIn } from '../sign-in/return-path.js';
import { NotFoundScreen } from './not-found-screen.js';

/**
 * Every screen but the Overview is its own chunk, loaded when first opened, so the first screen's JavaScript stays
 * small (the budget in bundle-budget.test.ts). A screen lives in the folder named after its path, in a file of the
 * same name: `/api-keys` is `api-keys/api-keys-screen.tsx`, its default export the screen. Its own routes below its
 * path (`/links/new`, `/links/:id`) are relative to it: the screen is mounted with `nest`.
 */
const MODULES = import.meta.glob<{ default: ComponentType }>([
  '../*/*-screen.tsx',
  // Loaded up front, not as screens of the navigation's own: the first screen, sign-in, and these routes' own.
  '!../overview/**',
  '!../sign-in/**',
  '!../screens/**',
]);

function screenOf(entry: ScreenEntry): ComponentType | undefined {
  const slug = entry.path.slice(1);
  const load = MODULES[`../${slug}/${slug}-screen.tsx`];
  return load ? lazy(load) : undefined;
}

const LAZY = new Map(SCREENS.map((entry) => [entry.path, screenOf(entry)]));

/** Which screen each path shows. */
export function ScreenRoutes() {
  return (
    <Suspense fallback={<p role="status">Loading…</p>}>
      <Switch>
        <Route path="/">
          <OverviewScreen />
        </Route>
        {/* Just signed in (or reloading the sign-in page): on to the page asked for before, or home. */}
        <Route path="/sign-in">
          <ReturnAfterSignIn />
        </Route>
        {SCREENS.filter((screen) => screen.path !== '/').map((screen) => {
          const Screen = LAZY.get(screen.path) ?? NotFoundScreen;
          return (
            <Route key={screen.path} path={screen.path} nest>
              <Screen />
            </Route>
          );
        })}
        <Route>
          <NotFoundScreen />
        </Route>
      </Switch>
    </Suspense>
  );
}
