import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useApi } from '../api-context.js';

/** GET /v1/stats for the app from `from` until now; kept on screen while the next period loads. */
export function useStats(appId: string, from: Date) {
  const api = useApi();
  const fromIso = from.toISOString();
  return useQuery({
    queryKey: ['app', appId, 'stats', fromIso],
    queryFn: () => api.stats(appId, { from: fromIso }),
    placeholderData: keepPreviousData,
    // Counts move slowly; a minute old is fresh enough and spares the server a query per click.
    staleTime: 60_000,
  });
}
