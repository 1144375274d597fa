import { useSignedIn, useSignOut } from '../session-hooks.js';

/** Who is signed in, and the way out. */
export function OperatorMenu() {
  const { operator } = useSignedIn();
  const signOut = useSignOut();
  return (
    <div className="operator">
      <span className="operator-email" title={`Role: ${operator.role}`}>
        {operator.email}
      </span>
      <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
        Sign out
      </button>
      {signOut.error && (
        <p className="form-error" role="alert">
          {signOut.error.message}
        </p>
      )}
    </div>
  );
}
