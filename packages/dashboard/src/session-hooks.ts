import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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

/** The session of a screen inside the shell, which only renders once someone is signed in. */
export function useSignedIn(): Session {
  const { data } = useSession();
  if (!data) throw new Error('useSignedIn: rendered without a session');
  return data;
}

export function useSignOut() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.signOut(),
    onSuccess: () => {
      // Nothing of the operator's may stay in memory for whoever uses the browser next.
      client.clear();
      client.setQueryData(SESSION_KEY, null);
    },
  });
}
