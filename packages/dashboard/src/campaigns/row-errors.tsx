import { formatCount } from '../format.js';
import type { BulkRowResult } from './campaign-types.js';

/** Enough to fix a file by; the count says how many more there are. */
const SHOWN = 200;

const FIELD_NAMES: Record<string, string> = {
  email: 'email address',
  phone: 'phone number',
  user_id: 'user id',
  redirect_url: 'redirect URL',
  body: 'the row',
};

/** The rows the server refused, with its own message and the field it names. */
export function RowErrors({ caption, rows }: { caption: string; rows: BulkRowResult[] }) {
  if (rows.length === 0) return null;
  return (
    <div className="table-wrap row-errors">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="number">
              Row
            </th>
            <th scope="col">Field</th>
            <th scope="col">What is wrong</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, SHOWN).map((row) => (
            <tr key={row.row}>
              <th scope="row" className="number">
                {row.row}
              </th>
              <td>{row.error?.param ? (FIELD_NAMES[row.error.param] ?? row.error.param) : '—'}</td>
              <td>{row.error?.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length > SHOWN && (
        <p className="muted">
          And {formatCount(rows.length - SHOWN)} more rows with errors; fix these and check again.
        </p>
      )}
    </div>
  );
}
