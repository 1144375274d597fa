import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { CodeSent } from '../api.js';
import { useApi } from '../api-context.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';
import { SESSION_KEY } from '../session-hooks.js';

interface CodeFormProps {
  email: string;
  sent: CodeSent;
  onStartOver: () => void;
}

export function CodeForm({ email, sent, onStartOver }: CodeFormProps) {
  const api = useApi();
  const client = useQueryClient();
  const [code, setCode] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const verify = useMutation({
    mutationFn: (typed: string) => api.verifySignIn(email, typed),
    // The server set the session cookie; reading the session again shows the dashboard.
    onSuccess: () => client.invalidateQueries({ queryKey: SESSION_KEY }),
  });
  const resend = useMutation({ mutationFn: () => api.startSignIn(email), onSuccess: () => verify.reset() });
  const [missing, setMissing] = useState(false);
  const errors = formErrorsOf(verify.error ?? resend.error, ['code']);
  const codeError = missing ? 'Enter the code from the message.' : errors.fields.code;
  useEffect(() => {
    if (codeError) input.current?.focus();
  }, [codeError]);

  function submit(event: FormEvent) {
    event.preventDefault();
    // Codes are upper-case letters and digits; people type them in either case, with stray spaces.
    const typed = code.replace(/\s+/g, '').toUpperCase();
    setMissing(typed === '');
    if (typed !== '') verify.mutate(typed);
  }

  const minutes = Math.round(sent.expires_in_seconds / 60);
  return (
    <form onSubmit={submit} noValidate>
      <p>
        If <strong>{email}</strong> belongs to an operator, a message with a sign-in link and a{' '}
        {sent.code_length}-character code is on its way. Both expire in {minutes} minutes. Open the link, or
        type the code here.
      </p>
      <FormError message={errors.form} />
      {resend.isSuccess && !resend.isPending && <p role="status">A new code is on its way.</p>}
      <TextField
        ref={input}
        label="Code"
        name="code"
        autoComplete="one-time-code"
        autoCapitalize="characters"
        spellCheck={false}
        required
        autoFocus
        // The message shows the code as two groups (`ABCD-EFGH`); a pasted or typed dash or space must fit.
        maxLength={sent.code_length + 4}
        value={code}
        onChange={(event) => setCode(event.target.value)}
        error={codeError}
        className="code-input"
      />
      <button type="submit" className="primary" disabled={verify.isPending}>
        {verify.isPending ? 'Signing in…' : 'Sign in'}
      </button>
      <div className="form-links">
        <button type="button" className="link" onClick={() => resend.mutate()} disabled={resend.isPending}>
          Send a new code
        </button>
        <button type="button" className="link" onClick={onStartOver}>
          Use another address
        </button>
      </div>
    </form>
  );
}
