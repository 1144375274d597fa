import {
  type QueryKey,
  type UseQueryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { DashboardApi } from '../api.js';
import { useApi } from '../api-context.js';
import { useCurrentApp } from '../current-app.js';

/**
 * The query key of something of the current app: `['app', appId, ...key]`. Switching apps drops every query whose
 * key starts with 'app', so nothing of one app shows under another.
 */
export function appKey(appId: string, ...key: unknown[]): QueryKey {
  return ['app', appId, ...key];
}

/** The app every screen acts on; screens are only shown once the operator has one. */
export function useAppId(): string {
  const { app } = useCurrentApp();
  if (!app) throw new Error('useAppId: the operator has no app');
  return app.id;
}

/** A read of the current app: `fetcher` gets the client and the app's id, the key is scoped to the app. */
export function useAppQuery<T>(
  key: readonly unknown[],
  fetcher: (api: DashboardApi, appId: string) => Promise<T>,
  options: Omit<UseQueryOptions<T, Error, T, QueryKey>, 'queryKey' | 'queryFn'> = {},
) {
  const api = useApi();
  const appId = useAppId();
  return useQuery<T, Error, T, QueryKey>({
    queryKey: appKey(appId, ...key),
    queryFn: () => fetcher(api, appId),
    ...options,
  });
}

/**
 * A change to the current app. Once it succeeds, the reads under each of `invalidates` (keys below the app's, e.g.
 * `['links']`) are fetched again, so every list shows the change.
 */
export function useAppMutation<Input, Output>(
  change: (api: DashboardApi, appId: string, input: Input) => Promise<Output>,
  options: {
    invalidates?: readonly (readonly unknown[])[];
    onSuccess?: (output: Output, input: Input) => void;
  } = {},
) {
  const api = useApi();
  const appId = useAppId();
  const client = useQueryClient();
  return useMutation<Output, Error, Input>({
    mutationFn: (input) => change(api, appId, input),
    onSuccess: async (output, input) => {
      await Promise.all(
        (options.invalidates ?? []).map((key) =>
          client.invalidateQueries({ queryKey: appKey(appId, ...key) }),
        ),
      );
      options.onSuccess?.(output, input);
    },
  });
}
