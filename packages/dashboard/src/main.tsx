import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Router } from 'wouter';
import { ApiError, DashboardApi } from './api.js';
import { ApiProvider } from './api-context.js';
import { App } from './app.js';
import { ErrorBoundary } from './error-boundary.js';
import { SESSION_KEY } from './session-hooks.js';
import { applyTheme, storedTheme } from './theme.js';
import './styles.css';

applyTheme(storedTheme());

const api = new DashboardApi();
const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A refusal will not change by asking again; a dropped connection might.
      retry: (failures, error) => failures < 2 && error instanceof ApiError && error.status === 0,
    },
  },
});
// A session that ended (expired, signed out in another tab) shows the sign-in screen on the next call.
queryClient.getQueryCache().subscribe((event) => {
  const error = event.query.state.error;
  if (event.type === 'updated' && error instanceof ApiError && error.status === 401) {
    if (event.query.queryKey[0] !== SESSION_KEY[0]) queryClient.setQueryData(SESSION_KEY, null);
  }
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <Router base="/dashboard">
          <ErrorBoundary>
            <App />
          </ErrorBoundary>
        </Router>
      </QueryClientProvider>
    </ApiProvider>
  </StrictMode>,
);
