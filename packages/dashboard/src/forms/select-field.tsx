import type { Ref, SelectHTMLAttributes } from 'react';
import { FieldError, FieldHint, useField } from './field-parts.js';

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, 'id'> {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  options: ReadonlyArray<{ value: string; label: string }>;
  ref?: Ref<HTMLSelectElement>;
}

/** A labelled select with its hint and error tied to it, like TextField. */
export function SelectField({ label, hint, error, options, ref, ...select }: SelectFieldProps) {
  const field = useField(hint, error);
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      <FieldHint id={field.id} hint={hint} />
      <select {...field.control} ref={ref} {...select}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldError id={field.id} error={error} />
    </div>
  );
}
