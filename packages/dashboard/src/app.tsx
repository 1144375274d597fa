import { Route, Switch } from 'wouter';
import { FormError } from './forms/form-error.js';
import { SignedInContext, useSession } from './session-hooks.js';
import { Shell } from './shell/shell.js';
import { RedirectToSignIn } from './sign-in/return-path.js';
import { SignInScreen } from './sign-in/sign-in-screen.js';

/**
 * Signed in: the dashboard. Signed out: the sign-in screen, at /dashboard/sign-in whatever was asked for, and back
 * to what was asked for after (sign-in/return-path.tsx).
 */
export function App() {
  const session = useSession();
  if (session.isPending) return <p role="status">Loading…</p>;
  if (session.isError) {
    return (
      <main className="sign-in">
        <div className="sign-in-card">
          <h1>The dashboard cannot reach Latchkey</h1>
          <FormError message={session.error.message} />
          <button type="button" className="primary" onClick={() => session.refetch()}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (!session.data) {
    return (
      <Switch>
        <Route path="/sign-in">
          <SignInScreen />
        </Route>
        {/* Remembering the page asked for, to come back to it once signed in. */}
        <Route>
          <RedirectToSignIn />
        </Route>
      </Switch>
    );
  }
  return (
    <SignedInContext value={session.data}>
      <Shell />
    </SignedInContext>
  );
}
