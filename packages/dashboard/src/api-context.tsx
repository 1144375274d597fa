import { createContext, type ReactNode, useContext } from 'react';
import type { DashboardApi } from './api.js';

const ApiContext = createContext<DashboardApi | null>(null);

/** One client per page, so the CSRF token and the reauth handler it holds are shared by every screen. */
export function ApiProvider({ api, children }: { api: DashboardApi; children: ReactNode }) {
  return <ApiContext value={api}>{children}</ApiContext>;
}

export function useApi(): DashboardApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi: no ApiProvider above this component');
  return api;
}
