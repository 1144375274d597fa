import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '../api-context.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';
import { useSignedIn } from '../session-hooks.js';

/**
 * Asks for a fresh code when the server answers `reauth_required` (a sensitive action long after sign-in). It is
 * mounted once in the shell and installs itself as the client's reauth handler: the call that was refused waits,
 * and is sent again once the code is accepted. Calls refused at the same moment share one dialog.
 */
export function ReauthDialog() {
  const api = useApi();
  const { operator } = useSignedIn();
  const dialog = useRef<HTMLDialogElement>(null);
  const waiting = useRef<{ promise: Promise<boolean>; resolve: (ok: boolean) => void } | null>(null);
  const [code, setCode] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const send = useMutation({ mutationFn: () => api.startReauth() });
  const verify = useMutation({ mutationFn: (typed: string) => api.verifyReauth(typed) });

  const finish = useCallback((ok: boolean) => {
    const pending = waiting.current;
    waiting.current = null;
    if (dialog.current?.open) dialog.current.close();
    pending?.resolve(ok);
  }, []);

  useEffect(() => {
    api.handleReauth(() => {
      if (waiting.current) return waiting.current.promise;
      let resolve: (ok: boolean) => void = () => {};
      const promise = new Promise<boolean>((r) => {
        resolve = r;
      });
      waiting.current = { promise, resolve };
      setCode('');
      verify.reset();
      send.mutate();
      dialog.current?.showModal();
      return promise;
    });
    return () => api.handleReauth(undefined);
  }, [api, send.mutate, verify.reset]);

  function submit(event: FormEvent) {
    event.preventDefault();
    verify.mutate(code.replace(/\s+/g, '').toUpperCase(), { onSuccess: () => finish(true) });
  }

  const errors = formErrorsOf(verify.error ?? send.error, ['code']);
  useEffect(() => {
    if (errors.fields.code) input.current?.focus();
  }, [errors.fields.code]);
  return (
    // Escape and the Cancel button both end here: the refused call then fails with its own message.
    <dialog ref={dialog} aria-labelledby="reauth-title" onClose={() => finish(false)}>
      <form onSubmit={submit} noValidate>
        <h2 id="reauth-title">Confirm it is you</h2>
        <p>
          This action needs a fresh code. {send.isPending ? 'Sending one' : 'We sent one'} to{' '}
          <strong>{operator.email}</strong>.
        </p>
        <FormError message={errors.form} />
        <TextField
          ref={input}
          label="Code"
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="characters"
          spellCheck={false}
          required
          value={code}
          onChange={(event) => setCode(event.target.value)}
          error={errors.fields.code}
          className="code-input"
        />
        <div className="dialog-actions">
          <button type="button" onClick={() => finish(false)}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={verify.isPending}>
            Confirm
          </button>
        </div>
      </form>
    </dialog>
  );
}
