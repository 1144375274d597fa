import type { OutboxMessage } from '../api.js';
import { useSignedIn } from '../session-hooks.js';
import { useRetry } from './delivery-hooks.js';

/**
 * Queues a given-up message again. No confirmation: it sends the person the link they were meant to get, once more,
 * and the server refuses it (409) for a link that was used, revoked or has expired. The error shows beside it.
 */
export function RetryButton({ message }: { message: OutboxMessage }) {
  const { operator } = useSignedIn();
  const retry = useRetry();
  if (message.status !== 'failed' || operator.role === 'viewer') return null;
  return (
    <span className="retry">
      <button
        type="button"
        aria-label={`Retry the message to ${message.recipient}`}
        onClick={() => retry.mutate(message.id)}
        disabled={retry.isPending}
      >
        {retry.isPending ? 'Retrying…' : 'Retry'}
      </button>
      {retry.error && (
        <span className="field-error" role="alert">
          {retry.error.message}
        </span>
      )}
    </span>
  );
}
