import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext } from 'react';
import type { Session } from './api.js';
import { useApi } from './api-context.js';

export const SESSION_KEY = ['session'] as const;

/** The signed-in operator and their apps; `data` is null when nobody is signed in. */
export function useSession() {
  const api = useApi();
  return useQuery<Session | null>({
    queryKey: SESSION_KEY,
    queryFn: () => api.session(),
    // Read again when the operator comes back to the tab: a session ended elsewhere shows the sign-in screen.
    staleTime: 60_000,
    retry: false,
  });
}

/**
 * The session, as the App component hands it to the shell. A context rather than each screen reading the query:
 * when the session ends, the shell is unmounted with it instead of a screen rendering once without one.
 */
export const SignedInContext = createContext<Session | null>(null);

export function useSignedIn(): Session {
  const session = useContext(SignedInContext);
  if (!session) throw new Error('useSignedIn: rendered outside the signed-in shell');
  return session;
}

export function useSignOut() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.signOut(),
    onSuccess: () => {
      client.setQueryData(SESSION_KEY, null);
      // Nothing of the operator's may stay in memory for whoever uses the browser next.
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
    },
  });
}
