import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import type { AppSummary } from './api.js';
import { useSignedIn } from './session-hooks.js';

const STORAGE_KEY = 'latchkey.dashboard.app';

interface CurrentApp {
  /** The app every screen shows; undefined when the operator has no app. */
  app: AppSummary | undefined;
  apps: AppSummary[];
  choose(appId: string): void;
}

const CurrentAppContext = createContext<CurrentApp | null>(null);

/** The app chosen in the header, remembered per browser; every query key includes its id. */
export function CurrentAppProvider({ children }: { children: ReactNode }) {
  const { apps } = useSignedIn();
  const client = useQueryClient();
  const [chosen, setChosen] = useState(() => readStored());
  const app = apps.find((a) => a.id === chosen) ?? apps[0];
  const choose = useCallback(
    (appId: string) => {
      setChosen(appId);
      writeStored(appId);
      // Queries are keyed by app, so nothing of the other app shows; dropping the old ones frees their memory.
      client.removeQueries({ predicate: (query) => query.queryKey[0] === 'app' });
    },
    [client],
  );
  const value = useMemo(() => ({ app, apps, choose }), [app, apps, choose]);
  return <CurrentAppContext value={value}>{children}</CurrentAppContext>;
}

export function useCurrentApp(): CurrentApp {
  const value = useContext(CurrentAppContext);
  if (!value) throw new Error('useCurrentApp: no CurrentAppProvider above this component');
  return value;
}

// Storage can be refused (private modes, policies); the dashboard then just forgets the choice.
function readStored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeStored(appId: string): void {
  try {
    localStorage.setItem(STORAGE_KEY, appId);
  } catch {}
}
