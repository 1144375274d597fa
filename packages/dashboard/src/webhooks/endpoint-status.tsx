import type { WebhookEndpoint } from '../api.js';
import { StatusBadge } from '../ui/status-badge.js';

export function EndpointStatusBadge({ endpoint }: { endpoint: WebhookEndpoint }) {
  if (endpoint.status === 'disabled') return <StatusBadge status="disabled" tone="bad" />;
  if (endpoint.failing_since) return <StatusBadge status="failing" tone="waiting" />;
  return <StatusBadge status="enabled" tone="good" />;
}

/** The subscription in words: "All events" for `*`, else the types. */
export function eventTypesText(types: readonly string[]): string {
  return types.includes('*') ? 'All events' : types.join(', ');
}
