import { ApiError } from '../api.js';

/**
 * Where a failed call's message is shown: next to the field the error names (`param`), when the form has that
 * field, else at the top of the form.
 */
export interface FormErrors {
  fields: Record<string, string>;
  form: string | undefined;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: undefined };

export function formErrorsOf(error: unknown, fields: readonly string[]): FormErrors {
  if (!error) return NO_ERRORS;
  const message = error instanceof Error ? error.message : 'Something went wrong. Try again.';
  if (error instanceof ApiError && error.param && fields.includes(error.param)) {
    return { fields: { [error.param]: message }, form: undefined };
  }
  return { fields: {}, form: message };
}
