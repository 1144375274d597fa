import { useId } from 'react';
import { useEventTypes } from './webhook-hooks.js';

/**
 * The event types an endpoint receives, as checkboxes from the server's list. "All" is the API's `["*"]`: every
 * type, also the ones a later version adds.
 */
export function EventTypePicker({
  value,
  onChange,
  error,
}: {
  value: string[];
  onChange: (types: string[]) => void;
  error?: string | undefined;
}) {
  const types = useEventTypes();
  const id = useId();
  const all = value.includes('*');
  const toggle = (type: string, on: boolean) =>
    onChange(on ? [...value.filter((t) => t !== '*'), type] : value.filter((t) => t !== type));
  return (
    <fieldset
      className="event-types"
      aria-invalid={error ? true : undefined}
      aria-describedby={error ? `${id}-error` : undefined}
    >
      <legend>Events to send</legend>
      <div className="checkbox-field">
        <div>
          <input
            id={`${id}-all`}
            type="checkbox"
            checked={all}
            onChange={(e) => onChange(e.target.checked ? ['*'] : [])}
          />
          <label htmlFor={`${id}-all`}>All event types, including ones added later</label>
        </div>
      </div>
      {types.error && <p className="field-error">{types.error.message}</p>}
      {types.data && (
        <ul className="event-type-list">
          {types.data.data.map((type) => (
            <li key={type.type} className="checkbox-field">
              <div>
                <input
                  id={`${id}-${type.type}`}
                  type="checkbox"
                  checked={all || value.includes(type.type)}
                  disabled={all}
                  aria-describedby={`${id}-${type.type}-hint`}
                  onChange={(e) => toggle(type.type, e.target.checked)}
                />
                <label htmlFor={`${id}-${type.type}`}>
                  <code>{type.type}</code>
                </label>
              </div>
              <p id={`${id}-${type.type}-hint`} className="field-hint">
                {type.description}
              </p>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
