import type { WebhookAttempt, WebhookEndpoint } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { Pager, useCursor } from '../ui/pager.js';
import { StatusBadge } from '../ui/status-badge.js';
import { useAttempts, useRedeliver } from './webhook-hooks.js';

/** The endpoint's delivery log: every attempt, newest first, with a redelivery of the event it carried. */
export function EndpointAttempts({
  endpoint,
  mayRedeliver,
}: {
  endpoint: WebhookEndpoint;
  mayRedeliver: boolean;
}) {
  const pages = useCursor();
  const attempts = useAttempts(endpoint.id, pages.cursor);
  const redeliver = useRedeliver(endpoint.id);
  return (
    <section aria-labelledby="attempts-title">
      <h2 id="attempts-title">Deliveries</h2>
      {attempts.isPending && <p role="status">Loading…</p>}
      <FormError message={attempts.error?.message} />
      <FormError message={redeliver.error?.message} />
      {redeliver.data && (
        <p role="status" className="muted">
          Event <code>{redeliver.data.event_id}</code> is queued for this endpoint again; its attempt shows
          here within seconds.
        </p>
      )}
      {attempts.data && attempts.data.data.length === 0 && (
        <div className="empty-state">
          <p>
            <strong>Nothing was delivered to this endpoint yet.</strong>
          </p>
          <p>
            Each event it subscribes to is sent as it happens; “Send test event” sends one now to check the
            receiver.
          </p>
        </div>
      )}
      {attempts.data && attempts.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="id-table" aria-labelledby="attempts-title">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Result</th>
                <th scope="col" className="number">
                  Latency
                </th>
                <th scope="col">Response</th>
                <th scope="col">At</th>
                {mayRedeliver && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {attempts.data.data.map((attempt) => (
                <tr key={attempt.id}>
                  <th scope="row">
                    <code>{attempt.event_id}</code>
                    <span className="muted cell-note">
                      {attempt.test ? 'test event' : `attempt ${attempt.attempt}`}
                    </span>
                  </th>
                  <td>
                    <AttemptResult attempt={attempt} />
                  </td>
                  <td className="number">{attempt.latency_ms === null ? '—' : `${attempt.latency_ms} ms`}</td>
                  <td className="answer-cell">
                    {attempt.response_excerpt || attempt.error ? (
                      <code>{attempt.response_excerpt ?? attempt.error}</code>
                    ) : (
                      <span className="muted">empty</span>
                    )}
                  </td>
                  <td>
                    <LocalTime value={attempt.created_at} />
                  </td>
                  {mayRedeliver && (
                    <td>
                      {!attempt.test && (
                        <button
                          type="button"
                          aria-label={`Redeliver event ${attempt.event_id}`}
                          disabled={redeliver.isPending || endpoint.status === 'disabled'}
                          onClick={() => redeliver.mutate(attempt.event_id)}
                        >
                          Redeliver
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Deliveries"
        page={pages.page}
        nextCursor={attempts.data?.next_cursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </section>
  );
}

function AttemptResult({ attempt }: { attempt: WebhookAttempt }) {
  const label =
    attempt.status_code === null ? (attempt.ok ? 'ok' : 'no answer') : String(attempt.status_code);
  return <StatusBadge status={label} tone={attempt.ok ? 'good' : 'bad'} />;
}
