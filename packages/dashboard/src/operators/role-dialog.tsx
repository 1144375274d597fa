import { type FormEvent, useState } from 'react';
import type { Role } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { SelectField } from '../forms/select-field.js';
import { Dialog } from '../ui/dialog.js';
import { type OperatorRecord, ROLE_MEANING, ROLE_NAMES, useChangeRole } from './operators-api.js';

/**
 * "Change role" for one operator, in a dialog. The server refuses to demote the last owner; its message shows next
 * to the role (its `param`), and the dialog stays open.
 */
export function RoleButton({ operator }: { operator: OperatorRecord }) {
  const [open, setOpen] = useState(false);
  const [role, setRole] = useState<Role>(operator.role);
  const change = useChangeRole();
  const errors = formErrorsOf(change.error, ['role']);

  function submit(event: FormEvent) {
    event.preventDefault();
    change.mutate({ id: operator.id, role }, { onSuccess: () => setOpen(false) });
  }

  return (
    <>
      <button
        type="button"
        aria-label={`Change role of ${operator.email}`}
        onClick={() => {
          change.reset();
          setRole(operator.role);
          setOpen(true);
        }}
      >
        Change role
      </button>
      <Dialog open={open} title={`Role of ${operator.email}`} onClose={() => setOpen(false)}>
        <form onSubmit={submit} noValidate>
          <FormError message={errors.form} />
          <SelectField
            label="Role"
            name="role"
            value={role}
            options={ROLE_NAMES}
            hint={`${ROLE_NAMES.find((r) => r.value === role)?.label}: ${ROLE_MEANING[role]}.`}
            onChange={(event) => setRole(event.target.value as Role)}
            error={errors.fields.role}
          />
          <div className="dialog-actions">
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="primary" disabled={change.isPending || role === operator.role}>
              {change.isPending ? 'Saving…' : 'Save role'}
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
