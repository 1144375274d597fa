import type { InputHTMLAttributes, Ref } from 'react';
import { FieldError, FieldHint, useField } from './field-parts.js';

interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  label: string;
  /** Said below the label before anything went wrong. */
  hint?: string | undefined;
  /** The server's message about this field; the input is marked invalid and points at it. */
  error?: string | undefined;
  ref?: Ref<HTMLInputElement>;
}

/** A labelled input with its hint and its error, both tied to the input for screen readers. */
export function TextField({ label, hint, error, ref, ...input }: TextFieldProps) {
  const field = useField(hint, error);
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      <FieldHint id={field.id} hint={hint} />
      <input {...field.control} ref={ref} {...input} />
      <FieldError id={field.id} error={error} />
    </div>
  );
}
