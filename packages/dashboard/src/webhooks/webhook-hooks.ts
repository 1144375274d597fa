import type { WebhookAttempt, WebhookEndpoint, WebhookEndpointWithSecret, WebhookEventType } from '../api.js';
import { useAppMutation, useAppQuery } from '../ui/app-query.js';
import type { Page } from '../ui/pager.js';

export const PAGE_SIZE = 20;
const path = (id: string, rest = '') => `/webhook-endpoints/${encodeURIComponent(id)}${rest}`;

export function useEndpoints(cursor: string | undefined) {
  return useAppQuery(['webhooks', 'list', cursor], (api, app) =>
    api.v1<Page<WebhookEndpoint>>('GET', '/webhook-endpoints', { app, query: { limit: PAGE_SIZE, cursor } }),
  );
}

export function useEndpoint(id: string) {
  return useAppQuery(['webhooks', 'one', id], (api, app) =>
    api.v1<WebhookEndpoint>('GET', path(id), { app }),
  );
}

/** What an endpoint may subscribe to; the same for every app and every visit, so read once. */
export function useEventTypes() {
  return useAppQuery(
    ['webhook-event-types'],
    (api, app) => api.v1<Page<WebhookEventType>>('GET', '/webhook-event-types', { app }),
    { staleTime: Number.POSITIVE_INFINITY },
  );
}

/** The endpoint's delivery log, newest first; read again every few seconds, since retries land on their own. */
export function useAttempts(id: string, cursor: string | undefined) {
  return useAppQuery(
    ['webhooks', 'attempts', id, cursor],
    (api, app) =>
      api.v1<Page<WebhookAttempt>>('GET', path(id, '/attempts'), {
        app,
        query: { limit: PAGE_SIZE, cursor },
      }),
    { refetchInterval: cursor ? false : 3000 },
  );
}

export interface EndpointInput {
  url: string;
  description?: string;
  event_types: string[];
}

export function useCreateEndpoint() {
  return useAppMutation(
    (api, app, body: EndpointInput) =>
      api.v1<WebhookEndpointWithSecret>('POST', '/webhook-endpoints', { app, body }),
    { invalidates: [['webhooks']] },
  );
}

export function useUpdateEndpoint(id: string) {
  return useAppMutation(
    (api, app, body: Partial<EndpointInput> & { enabled?: boolean }) =>
      api.v1<WebhookEndpoint>('PATCH', path(id), { app, body }),
    { invalidates: [['webhooks']] },
  );
}

export function useRotateSecret(id: string) {
  return useAppMutation(
    (api, app, _: undefined) =>
      api.v1<WebhookEndpointWithSecret>('POST', path(id, '/rotate-secret'), { app }),
    { invalidates: [['webhooks']] },
  );
}

export function useSendTest(id: string) {
  return useAppMutation(
    (api, app, _: undefined) => api.v1<WebhookAttempt>('POST', path(id, '/test'), { app }),
    {
      invalidates: [['webhooks', 'attempts', id]],
    },
  );
}

export function useRedeliver(id: string) {
  return useAppMutation(
    (api, app, eventId: string) =>
      api.v1<{ message_id: string; event_id: string; status: string }>('POST', path(id, '/redeliver'), {
        app,
        body: { event_id: eventId },
      }),
    { invalidates: [['webhooks', 'attempts', id]] },
  );
}

export function useDeleteEndpoint(id: string) {
  return useAppMutation((api, app, _: undefined) => api.v1<unknown>('DELETE', path(id), { app }), {
    invalidates: [['webhooks', 'list']],
  });
}
