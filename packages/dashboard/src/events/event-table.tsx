import type { AppEvent } from '../api.js';
import { LocalTime } from '../local-time.js';

/** Events as rows: when, what, about what, and the data (folded, since it can be long). */
export function EventTable({
  events,
  label,
  onSubject,
}: {
  events: readonly AppEvent[];
  label: string;
  /** Given, the id each event is about is a button that narrows the list to it. */
  onSubject?: (subjectId: string) => void;
}) {
  return (
    <div className="table-wrap">
      <table className="id-table" aria-label={label}>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Type</th>
            <th scope="col">About</th>
            <th scope="col">Data</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id}>
              <td>
                <LocalTime value={event.created_at} />
              </td>
              <th scope="row">
                <code>{event.type}</code>
              </th>
              <td>
                <Subject id={event.subject_id} onSubject={onSubject} />
              </td>
              <td className="event-data">
                <details>
                  <summary>{summaryOf(event)}</summary>
                  <pre>{JSON.stringify(event.data, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Subject({ id, onSubject }: { id: string | null; onSubject: ((id: string) => void) | undefined }) {
  if (!id) return <span className="muted">—</span>;
  if (!onSubject) return <code>{id}</code>;
  return (
    <button
      type="button"
      className="link"
      onClick={() => onSubject(id)}
      title={`Only the events about ${id}`}
    >
      <code>{id}</code>
    </button>
  );
}

/** The first fields of the data on one line (but the id the row already shows), so most rows need no unfolding. */
function summaryOf(event: AppEvent): string {
  const data = event.data;
  const keys = Object.keys(data).filter((key) => data[key] !== event.subject_id);
  if (keys.length === 0) return Object.keys(data).length === 0 ? 'No data' : 'Details';
  const text = keys
    .slice(0, 2)
    .map((key) => `${key}: ${typeof data[key] === 'object' ? '…' : String(data[key])}`)
    .join(', ');
  return keys.length > 2 ? `${text}, …` : text;
}
