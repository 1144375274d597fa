import type { Role } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { useSignedIn } from '../session-hooks.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { InviteForm } from './invite-form.js';
import {
  type OperatorRecord,
  ROLE_MEANING,
  ROLE_NAMES,
  useOperators,
  useRemoveOperator,
} from './operators-api.js';
import { RoleButton } from './role-dialog.js';

/** The operators, with invite, role change and removal for owners; everyone else reads. */
export function OperatorList() {
  const { operator: me } = useSignedIn();
  const operators = useOperators();
  const owner = me.role === 'owner';
  return (
    <>
      {owner ? (
        <InviteForm />
      ) : (
        <p className="notice">
          You can see who has access, but only an owner can invite, change or remove operators. Your role is{' '}
          <strong>{roleName(me.role)}</strong>: you may {ROLE_MEANING[me.role]}.
        </p>
      )}
      <h2>Who has access</h2>
      {operators.isPending && <p role="status">Loading…</p>}
      <FormError message={operators.error?.message} />
      {operators.data && (
        <div className="table-wrap">
          <table className="operators-table">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Added</th>
                <th scope="col">Last sign-in</th>
                {owner && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {operators.data.data.map((row) => (
                <OperatorRow key={row.id} row={row} me={me.id} owner={owner} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RoleLegend />
    </>
  );
}

function OperatorRow({ row, me, owner }: { row: OperatorRecord; me: string; owner: boolean }) {
  const remove = useRemoveOperator();
  return (
    <tr>
      <th scope="row">
        {row.email}
        {row.id === me && <span className="muted"> (you)</span>}
      </th>
      <td>{roleName(row.role)}</td>
      <td>
        <LocalTime value={row.created_at} />
      </td>
      <td>
        {row.last_sign_in_at ? (
          <LocalTime value={row.last_sign_in_at} />
        ) : (
          <span className="muted">never</span>
        )}
      </td>
      {owner && (
        <td>
          <div className="row-actions">
            <RoleButton operator={row} />
            <ConfirmButton
              label="Remove"
              title={`Remove ${row.email}?`}
              onConfirm={() => remove.mutateAsync(row.id)}
            >
              <p>
                {row.email} will be signed out everywhere at once and can no longer sign in to this dashboard.
                What they changed stays in the audit log. You can invite them again later.
              </p>
            </ConfirmButton>
          </div>
        </td>
      )}
    </tr>
  );
}

function RoleLegend() {
  return (
    <details className="role-legend">
      <summary>What each role may do</summary>
      <dl>
        {ROLE_NAMES.map((role) => (
          <div key={role.value}>
            <dt>{role.label}</dt>
            <dd>{ROLE_MEANING[role.value]}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">The last owner cannot be demoted or removed.</p>
    </details>
  );
}

export function roleName(role: Role): string {
  return ROLE_NAMES.find((r) => r.value === role)?.label ?? role;
}
