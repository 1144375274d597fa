import { useEventTypes } from '../webhooks/webhook-hooks.js';

/**
 * Suggestions for the type field: the types webhooks carry, and the audit entries the log also holds
 * (docs/webhooks.md, the events API). Any other type can still be typed.
 */
const AUDIT_TYPES = [
  'app.updated',
  'api_key.created',
  'api_key.revoked',
  'signing_key.created',
  'signing_key.revoked',
  'webhook_endpoint.created',
  'webhook_endpoint.updated',
  'webhook_endpoint.deleted',
  'webhook_endpoint.secret_rotated',
  'magic_link.delivery_retried',
  'dashboard.change',
];

export function EventTypeOptions({ id }: { id: string }) {
  const types = useEventTypes();
  const names = [...(types.data?.data.map((t) => t.type) ?? []), ...AUDIT_TYPES];
  return (
    <datalist id={id}>
      {[...new Set(names)].map((name) => (
        <option key={name} value={name} />
      ))}
    </datalist>
  );
}
