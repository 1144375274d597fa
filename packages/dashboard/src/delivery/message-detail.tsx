import { Link } from 'wouter';
import type { OutboxMessage } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { screenHref } from '../ui/screen-href.js';
import { StatusBadge } from '../ui/status-badge.js';
import { useMessage } from './delivery-hooks.js';
import { CHANNEL_NAMES, MessageStatusBadge } from './message-status.js';
import { RetryButton } from './retry-button.js';

/** One message: where it stands, and each attempt with the provider's answer, oldest first. */
export function MessageDetail({ id }: { id: string }) {
  const message = useMessage(id);
  return (
    <>
      <p>
        <Link href="/">← All messages</Link>
      </p>
      <ScreenTitle>Message</ScreenTitle>
      {message.isPending && <p role="status">Loading…</p>}
      <FormError message={message.error?.message} />
      {message.data && <MessageFacts message={message.data} />}
    </>
  );
}

function MessageFacts({ message }: { message: OutboxMessage }) {
  return (
    <>
      <dl className="facts">
        <dt>To</dt>
        <dd>
          {message.recipient} ({CHANNEL_NAMES[message.channel]})
        </dd>
        <dt>Status</dt>
        <dd>
          <MessageStatusBadge status={message.status} />{' '}
          {message.next_attempt_at && (
            <span className="muted">
              next attempt <LocalTime value={message.next_attempt_at} />
            </span>
          )}
        </dd>
        <dt>Attempts</dt>
        <dd>{message.attempts}</dd>
        {message.link_id && (
          <>
            <dt>Link</dt>
            <dd>
              <Link href={screenHref(`/links/${message.link_id}`)}>
                <code>{message.link_id}</code>
              </Link>
            </dd>
          </>
        )}
        <dt>Created</dt>
        <dd>
          <LocalTime value={message.created_at} />
        </dd>
        {message.sent_at && (
          <>
            <dt>Sent</dt>
            <dd>
              <LocalTime value={message.sent_at} />
            </dd>
          </>
        )}
        <dt>Id</dt>
        <dd>
          <code>{message.id}</code>
        </dd>
      </dl>
      {message.status === 'failed' && (
        <div className="toolbar">
          <RetryButton message={message} />
        </div>
      )}
      <h2 id="attempts-title">Attempts</h2>
      {message.attempt_log.length === 0 ? (
        <p className="empty-state">No attempt yet: the worker picks the message up within seconds.</p>
      ) : (
        <ol className="attempt-log" aria-labelledby="attempts-title">
          {message.attempt_log.map((attempt) => (
            <li key={attempt.attempt}>
              <div className="attempt-head">
                <strong>Attempt {attempt.attempt}</strong>
                <StatusBadge
                  status={
                    attempt.ok ? 'accepted' : attempt.permanent ? 'refused for good' : 'failed, will retry'
                  }
                  tone={attempt.ok ? 'good' : 'bad'}
                />
                <LocalTime value={attempt.at} />
                {attempt.duration_ms !== null && <span className="muted">{attempt.duration_ms} ms</span>}
              </div>
              <pre className="answer">{attempt.answer ?? 'No answer recorded.'}</pre>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
