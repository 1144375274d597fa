import type { DeliveryStatus, DeliveryTest, MessageChannel, MessageStatus, OutboxMessage } from '../api.js';
import { useAppMutation, useAppQuery } from '../ui/app-query.js';
import type { Page } from '../ui/pager.js';

export interface MessageFilter {
  status: MessageStatus | '';
  channel: MessageChannel | '';
}

export const PAGE_SIZE = 20;

/** A page of the app's email and SMS messages, newest first. */
export function useMessages(filter: MessageFilter, cursor: string | undefined) {
  return useAppQuery(
    ['outbox', filter, cursor],
    (api, app) =>
      api.v1<Page<OutboxMessage>>('GET', '/outbox', {
        app,
        query: {
          status: filter.status || undefined,
          channel: filter.channel || undefined,
          limit: PAGE_SIZE,
          cursor,
        },
      }),
    // While a message on the page is on its way, its next attempt is seconds off: read again until it settles.
    { refetchInterval: (query) => (query.state.data?.data.some(inFlight) ? 2000 : false) },
  );
}

/** A message the worker has not finished with. */
export function inFlight(message: OutboxMessage): boolean {
  return message.status === 'pending' || message.status === 'sending';
}

export function useMessage(id: string) {
  return useAppQuery(
    ['outbox', 'one', id],
    (api, app) => api.v1<OutboxMessage>('GET', `/outbox/${encodeURIComponent(id)}`, { app }),
    { refetchInterval: (query) => (query.state.data && inFlight(query.state.data) ? 1000 : false) },
  );
}

/** Queues a given-up message again; every list and detail of messages is read again after. */
export function useRetry() {
  return useAppMutation(
    (api, app, id: string) =>
      api.v1<OutboxMessage>('POST', `/outbox/${encodeURIComponent(id)}/retry`, { app }),
    { invalidates: [['outbox']] },
  );
}

/** The installation's transports; the same for every app, but read under the app like every call here. */
export function useDeliveryStatus() {
  return useAppQuery(['delivery-status'], (api, app) =>
    api.v1<DeliveryStatus>('GET', '/delivery/status', { app }),
  );
}

export function useDeliveryTest() {
  return useAppMutation((api, app, _: undefined) => api.v1<DeliveryTest>('POST', '/delivery/test', { app }));
}
