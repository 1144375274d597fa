import { useState } from 'react';
import { Link } from 'wouter';
import type { MessageChannel, MessageStatus } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { SelectField } from '../forms/select-field.js';
import { LocalTime } from '../local-time.js';
import { Pager, useCursor } from '../ui/pager.js';
import { screenHref } from '../ui/screen-href.js';
import { type MessageFilter, useMessages } from './delivery-hooks.js';
import { CHANNEL_NAMES, MessageStatusBadge } from './message-status.js';
import { RetryButton } from './retry-button.js';

const STATUSES = [
  { value: '', label: 'Any status' },
  { value: 'failed', label: 'Failed (given up)' },
  { value: 'pending', label: 'Pending' },
  { value: 'sending', label: 'Sending' },
  { value: 'sent', label: 'Sent' },
];
const CHANNELS = [
  { value: '', label: 'Email and SMS' },
  { value: 'email', label: 'Email' },
  { value: 'phone', label: 'SMS' },
];

/** The app's messages, newest first, filtered by status and channel, a page at a time. */
export function MessageList() {
  const [filter, setFilter] = useState<MessageFilter>({ status: '', channel: '' });
  const pages = useCursor();
  const messages = useMessages(filter, pages.cursor);
  const change = (next: Partial<MessageFilter>) => {
    setFilter((f) => ({ ...f, ...next }));
    pages.reset();
  };
  const filtered = filter.status !== '' || filter.channel !== '';

  return (
    <section aria-labelledby="messages-title" className="delivery-messages">
      <h2 id="messages-title">Messages</h2>
      <div className="filters">
        <SelectField
          label="Status"
          value={filter.status}
          options={STATUSES}
          onChange={(e) => change({ status: e.target.value as MessageStatus | '' })}
        />
        <SelectField
          label="Channel"
          value={filter.channel}
          options={CHANNELS}
          onChange={(e) => change({ channel: e.target.value as MessageChannel | '' })}
        />
      </div>
      {messages.isPending && <p role="status">Loading…</p>}
      <FormError message={messages.error?.message} />
      {messages.data && messages.data.data.length === 0 && (
        <div className="empty-state">
          {filtered ? (
            <p>No message matches these filters. Choose “Any status” and “Email and SMS” to see them all.</p>
          ) : (
            <>
              <p>
                <strong>No email or SMS was sent for this app yet.</strong>
              </p>
              <p>
                Send a link from <Link href={screenHref('/links')}>Links</Link> (or{' '}
                <code>POST /v1/magic-links</code> with <code>"send": true</code>); each message and every
                attempt to deliver it will show here.
              </p>
            </>
          )}
        </div>
      )}
      {messages.data && messages.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="id-table" aria-labelledby="messages-title">
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col" className="number">
                  Attempts
                </th>
                <th scope="col">Last answer</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {messages.data.data.map((message) => {
                const last = message.attempt_log[message.attempt_log.length - 1];
                return (
                  <tr key={message.id}>
                    <th scope="row">
                      <Link href={`/${message.id}`}>{message.recipient}</Link>
                      <span className="muted cell-note">{CHANNEL_NAMES[message.channel]}</span>
                    </th>
                    <td>
                      <MessageStatusBadge status={message.status} />
                    </td>
                    <td className="number">{message.attempts}</td>
                    <td className="answer-cell">{last?.answer ?? message.last_error ?? '—'}</td>
                    <td>
                      <LocalTime value={message.created_at} />
                    </td>
                    <td>
                      <RetryButton message={message} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Messages"
        page={pages.page}
        nextCursor={messages.data?.next_cursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </section>
  );
}
