import { type FormEvent, useState } from 'react';
import { Link } from 'wouter';
import { localTimeZone } from '../format.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';
import { Pager, useCursor } from '../ui/pager.js';
import { screenHref } from '../ui/screen-href.js';
import { type EventFilter, NO_FILTER, useEvents } from './event-hooks.js';
import { EventTable } from './event-table.js';
import { EventTypeOptions } from './event-type-options.js';

const FIELDS = ['type', 'since', 'until', 'subject_id'];
const TYPE = /^[a-z_]+\.[a-z_]+$/;

/** The event log, newest first, narrowed by type, time range and the id an event is about. */
export function EventSearch() {
  const [draft, setDraft] = useState({ type: '', since: '', until: '', subject_id: '' });
  const [filter, setFilter] = useState<EventFilter>(NO_FILTER);
  const pages = useCursor();
  const events = useEvents(filter, pages.cursor);
  const [typeError, setTypeError] = useState<string>();
  const errors = formErrorsOf(events.error, FIELDS);
  const zone = localTimeZone();
  const filtered = Object.values(filter).some(Boolean);

  function search(event: FormEvent) {
    event.preventDefault();
    const type = draft.type.trim();
    // Said here in words; the server's own refusal of the pattern is harder to read.
    if (type && !TYPE.test(type)) {
      setTypeError('A type is two lowercase words joined by a dot, like magic_link.created.');
      return;
    }
    setTypeError(undefined);
    setFilter({
      type,
      since: isoOf(draft.since),
      until: isoOf(draft.until),
      subject_id: draft.subject_id.trim(),
    });
    pages.reset();
  }
  function clear() {
    setDraft({ type: '', since: '', until: '', subject_id: '' });
    setFilter(NO_FILTER);
    pages.reset();
  }

  return (
    <>
      <form className="filters event-filters" onSubmit={search} noValidate aria-label="Search events">
        <TextField
          label="Type"
          list="event-type-options"
          placeholder="magic_link.redeemed"
          autoComplete="off"
          value={draft.type}
          onChange={(e) => setDraft({ ...draft, type: e.target.value })}
          error={typeError ?? errors.fields.type}
        />
        <EventTypeOptions id="event-type-options" />
        <TextField
          label={`From (${zone})`}
          type="datetime-local"
          value={draft.since}
          onChange={(e) => setDraft({ ...draft, since: e.target.value })}
          error={errors.fields.since}
        />
        <TextField
          label={`Until (${zone})`}
          type="datetime-local"
          value={draft.until}
          onChange={(e) => setDraft({ ...draft, until: e.target.value })}
          error={errors.fields.until}
        />
        <TextField
          label="About (id)"
          placeholder="ml_… usr_… ses_…"
          autoComplete="off"
          spellCheck={false}
          value={draft.subject_id}
          onChange={(e) => setDraft({ ...draft, subject_id: e.target.value })}
          error={errors.fields.subject_id}
        />
        <div className="filter-actions">
          <button type="submit" className="primary">
            Search
          </button>
          <button type="button" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
      {events.isPending && <p role="status">Loading…</p>}
      <FormError message={errors.form} />
      {events.data && events.data.data.length === 0 && (
        <div className="empty-state">
          {filtered ? (
            <p>No event matches. Widen the time range, or clear the filters.</p>
          ) : (
            <>
              <p>
                <strong>Nothing has happened in this app yet.</strong>
              </p>
              <p>
                Every change is recorded here: create a link in <Link href={screenHref('/links')}>Links</Link>{' '}
                and its <code>magic_link.created</code> event appears. The <Link href="/live">live tail</Link>{' '}
                shows events as they happen.
              </p>
            </>
          )}
        </div>
      )}
      {events.data && events.data.data.length > 0 && (
        <EventTable
          events={events.data.data}
          label="Events"
          onSubject={(subjectId) => {
            setDraft((d) => ({ ...d, subject_id: subjectId }));
            setFilter((f) => ({ ...f, subject_id: subjectId }));
            pages.reset();
          }}
        />
      )}
      <Pager
        label="Events"
        page={pages.page}
        nextCursor={events.data?.next_cursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </>
  );
}

/** A datetime-local value (the operator's own time, no zone) as an ISO time; empty stays empty. */
function isoOf(local: string): string {
  if (!local) return '';
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
}
