import type { InputHTMLAttributes } from 'react';
import { FieldError, FieldHint, useField } from './field-parts.js';

interface CheckboxFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'> {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
}

/** A checkbox with its label beside it, and its hint and error tied to it. */
export function CheckboxField({ label, hint, error, ...input }: CheckboxFieldProps) {
  const field = useField(hint, error);
  return (
    <div className="field checkbox-field">
      <div>
        <input {...field.control} type="checkbox" {...input} />
        <label htmlFor={field.id}>{label}</label>
      </div>
      <FieldHint id={field.id} hint={hint} />
      <FieldError id={field.id} error={error} />
    </div>
  );
}
