import { useState } from 'react';
import { useAppId } from '../ui/app-query.js';
import { StatusBadge, type Tone } from '../ui/status-badge.js';
import { EventTable } from './event-table.js';
import { EventTypeOptions } from './event-type-options.js';
import { MAX_ROWS, type TailState, useLiveTail } from './live-tail-hooks.js';

const STATES: Record<TailState, { label: string; tone: Tone }> = {
  connecting: { label: 'connecting', tone: 'waiting' },
  connected: { label: 'connected', tone: 'good' },
  reconnecting: { label: 'reconnecting', tone: 'waiting' },
  paused: { label: 'paused', tone: 'plain' },
  stopped: { label: 'stopped', tone: 'bad' },
};

/** New events as they happen, newest on top, with the connection's state and a pause. */
export function LiveTail() {
  const appId = useAppId();
  const [typeDraft, setTypeDraft] = useState('');
  const [type, setType] = useState<string>();
  const [paused, setPaused] = useState(false);
  return (
    <>
      <form
        className="filters"
        aria-label="Follow events"
        onSubmit={(e) => {
          e.preventDefault();
          setType(typeDraft.trim() || undefined);
        }}
      >
        <div className="field">
          <label htmlFor="tail-type">Only this type</label>
          <input
            id="tail-type"
            list="tail-type-options"
            placeholder="any type"
            autoComplete="off"
            value={typeDraft}
            onChange={(e) => setTypeDraft(e.target.value)}
          />
          <EventTypeOptions id="tail-type-options" />
        </div>
        <div className="filter-actions">
          <button type="submit">Follow</button>
        </div>
      </form>
      <TailView
        key={`${appId} ${type ?? ''}`}
        appId={appId}
        type={type}
        paused={paused}
        onPause={() => setPaused((p) => !p)}
      />
    </>
  );
}

function TailView({
  appId,
  type,
  paused,
  onPause,
}: {
  appId: string;
  type: string | undefined;
  paused: boolean;
  onPause: () => void;
}) {
  const tail = useLiveTail(appId, type, paused);
  const state = STATES[tail.state];
  return (
    <>
      <div className="toolbar tail-status">
        <p role="status" aria-live="polite">
          <StatusBadge status={state.label} tone={state.tone} />
          {tail.reconnects > 0 && (
            <span className="muted">
              {' '}
              back after {tail.reconnects} {tail.reconnects === 1 ? 'break' : 'breaks'}; nothing was missed
            </span>
          )}
        </p>
        <button type="button" onClick={onPause}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <p className="muted">The newest {MAX_ROWS} are kept; older ones are in Search.</p>
      </div>
      {tail.problem && (
        <p className="form-error" role="alert">
          {tail.problem}
        </p>
      )}
      {tail.events.length === 0 ? (
        <div className="empty-state">
          <p>
            <strong>Waiting for events{type ? ` of type ${type}` : ''}.</strong>
          </p>
          <p>
            {paused
              ? 'Paused: resume to receive what happened meanwhile.'
              : 'They appear here a second or two after they happen: create a link or sign in to see one.'}
          </p>
        </div>
      ) : (
        <EventTable events={tail.events} label="Live events" />
      )}
    </>
  );
}
