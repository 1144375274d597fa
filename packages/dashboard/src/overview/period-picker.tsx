import { PERIODS, type PeriodId } from './periods.js';

/** The period as a group of radio buttons: one tab stop, arrow keys move between them. */
export function PeriodPicker({ value, onChange }: { value: PeriodId; onChange: (id: PeriodId) => void }) {
  return (
    <fieldset className="segmented">
      <legend>Period</legend>
      {PERIODS.map((period) => (
        <label key={period.id}>
          <input
            type="radio"
            name="period"
            value={period.id}
            checked={value === period.id}
            onChange={() => onChange(period.id)}
          />
          <span>{period.label}</span>
        </label>
      ))}
    </fieldset>
  );
}
