import { useId } from 'react';

/**
 * What every labelled control shares: one id, the control marked invalid when the server refused its value, and
 * its hint and error tied to it for screen readers. `control` goes on the input, select or textarea.
 */
export function useField(hint: string | undefined, error: string | undefined) {
  const id = useId();
  const describedBy =
    [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return {
    id,
    control: { id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy },
  };
}

/** Said below the label before anything went wrong. */
export function FieldHint({ id, hint }: { id: string; hint: string | undefined }) {
  return hint ? (
    <p id={`${id}-hint`} className="field-hint">
      {hint}
    </p>
  ) : null;
}

/** The server's message about this field. */
export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p id={`${id}-error`} className="field-error">
      {error}
    </p>
  ) : null;
}
