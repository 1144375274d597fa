import { type FormEvent, useState } from 'react';
import type { Role } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { SelectField } from '../forms/select-field.js';
import { TextField } from '../forms/text-field.js';
import { ROLE_NAMES, useInvite } from './operators-api.js';

/**
 * Adds an operator. Latchkey sends no invitation message of its own: the new operator signs in through the normal
 * sign-in at /dashboard with their address, which now gets a code. The form says so once the invite is made.
 */
export function InviteForm() {
  const invite = useInvite();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [added, setAdded] = useState<string | null>(null);
  const errors = formErrorsOf(invite.error, ['email', 'role']);

  function submit(event: FormEvent) {
    event.preventDefault();
    setAdded(null);
    invite.mutate(
      { email: email.trim(), role },
      {
        onSuccess: (operator) => {
          setAdded(operator.email);
          setEmail('');
        },
      },
    );
  }

  return (
    <form className="invite-form" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite an operator</h2>
      <FormError message={errors.form} />
      <div className="invite-fields">
        <TextField
          label="Email address"
          type="email"
          name="email"
          autoComplete="off"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={errors.fields.email}
        />
        <SelectField
          label="Role"
          name="role"
          value={role}
          options={ROLE_NAMES}
          onChange={(event) => setRole(event.target.value as Role)}
          error={errors.fields.role}
        />
        <button type="submit" className="primary" disabled={invite.isPending}>
          {invite.isPending ? 'Inviting…' : 'Invite'}
        </button>
      </div>
      {added && (
        <p role="status" className="notice">
          {added} is an operator now. Tell them to sign in at{' '}
          <strong>{window.location.origin}/dashboard/</strong> with that address: Latchkey sends them a code
          when they ask for one, and no message before.
        </p>
      )}
    </form>
  );
}
