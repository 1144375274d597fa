import type { AppEvent } from '../api.js';
import { LocalTime } from '../local-time.js';

/** Events as rows: when, what, about what, and the data (folded, since it can be long). */
export function EventTable({ events, label }: { events: readonly AppEvent[]; label: string }) {
  return (
    <div className="table-wrap">
      <table aria-label={label}>
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
              <td>{event.subject_id ? <code>{event.subject_id}</code> : <span className="muted">—</span>}</td>
              <td className="event-data">
                <details>
                  <summary>{summaryOf(event.data)}</summary>
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

/** The first fields of the data on one line, so most rows need no unfolding. */
function summaryOf(data: Record<string, unknown>): string {
  const keys = Object.keys(data);
  if (keys.length === 0) return 'No data';
  const text = keys
    .slice(0, 2)
    .map((key) => `${key}: ${typeof data[key] === 'object' ? '…' : String(data[key])}`)
    .join(', ');
  return keys.length > 2 ? `${text}, …` : text;
}
