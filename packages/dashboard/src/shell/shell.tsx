import { useState } from 'react';
import { CurrentAppProvider } from '../current-app.js';
import { ReauthDialog } from '../reauth/reauth-dialog.js';
import { ScreenRoutes } from '../screens/screen-routes.js';
import { useReturnAfterLink } from '../sign-in/return-path.js';
import { Header } from './header.js';
import { Navigation } from './navigation.js';

/** The signed-in dashboard: header, navigation and the current screen. */
export function Shell() {
  const [menuOpen, setMenuOpen] = useState(false);
  useReturnAfterLink();
  return (
    <CurrentAppProvider>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <div className="shell">
        <Header menuOpen={menuOpen} onMenu={() => setMenuOpen((open) => !open)} />
        <Navigation open={menuOpen} onNavigate={() => setMenuOpen(false)} />
        <main id="main" tabIndex={-1}>
          <ScreenRoutes />
        </main>
      </div>
      <ReauthDialog />
    </CurrentAppProvider>
  );
}
