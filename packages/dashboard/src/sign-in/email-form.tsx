import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { CodeSent } from '../api.js';
import { useApi } from '../api-context.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { TextField } from '../forms/text-field.js';

export function EmailForm({ onSent }: { onSent: (email: string, answer: CodeSent) => void }) {
  const api = useApi();
  const [email, setEmail] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const start = useMutation({
    mutationFn: (address: string) => api.startSignIn(address),
    onSuccess: (answer, address) => onSent(address, answer),
  });
  const [missing, setMissing] = useState(false);
  const errors = formErrorsOf(start.error, ['email']);
  const emailError = missing ? 'Enter the email address you sign in with.' : errors.fields.email;
  useEffect(() => {
    if (emailError) input.current?.focus();
  }, [emailError]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const address = email.trim();
    setMissing(address === '');
    // Anything else about the address is the server's to judge; its answer names the field.
    if (address !== '') start.mutate(address);
  }

  return (
    <form onSubmit={submit} noValidate>
      <p>Operators sign in with a link and a code sent by email. No password.</p>
      <FormError message={errors.form} />
      <TextField
        ref={input}
        label="Email address"
        type="email"
        name="email"
        autoComplete="email"
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
        error={emailError}
      />
      <button type="submit" className="primary" disabled={start.isPending}>
        {start.isPending ? 'Sending…' : 'Send me a sign-in code'}
      </button>
    </form>
  );
}
