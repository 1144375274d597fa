import type { Ref, TextareaHTMLAttributes } from 'react';
import { FieldError, FieldHint, useField } from './field-parts.js';

interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'id'> {
  label: string;
  hint?: string | undefined;
  error?: string | undefined;
  ref?: Ref<HTMLTextAreaElement>;
}

/** A labelled textarea with its hint and error tied to it, like TextField. */
export function TextAreaField({ label, hint, error, ref, ...textarea }: TextAreaFieldProps) {
  const field = useField(hint, error);
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      <FieldHint id={field.id} hint={hint} />
      <textarea {...field.control} ref={ref} {...textarea} />
      <FieldError id={field.id} error={error} />
    </div>
  );
}
