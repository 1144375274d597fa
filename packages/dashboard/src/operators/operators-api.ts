/**
 * The dashboard's own operator routes (GET/POST /dashboard/api/operators, PATCH/DELETE /dashboard/api/operators/{id})
 * and the audit log (GET /dashboard/api/audit). They belong to the installation, not to an app, so their query keys
 * do not start with 'app': switching apps keeps them.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Role } from '../api.js';
import { useApi } from '../api-context.js';
import type { Page } from '../ui/pager.js';

export interface OperatorRecord {
  id: string;
  email: string;
  role: Role;
  /** The operator who invited them, or `config` / `cli` / `setup` for the ones made outside the dashboard. */
  invited_by: string | null;
  created_at: string;
  last_sign_in_at: string | null;
}

export interface AuditEvent {
  id: string;
  type: string;
  subject_id: string | null;
  created_at: string;
  /** The app the change was made in; null for changes to the installation (operators). */
  app_id: string | null;
  data: Record<string, unknown>;
}

export const ROLE_NAMES: ReadonlyArray<{ value: Role; label: string }> = [
  { value: 'owner', label: 'Owner' },
  { value: 'admin', label: 'Admin' },
  { value: 'operator', label: 'Operator' },
  { value: 'viewer', label: 'Viewer' },
];

/** What each role may do, said the way docs/dashboard.md says it. */
export const ROLE_MEANING: Record<Role, string> = {
  owner: 'everything, operators and keys included',
  admin: 'everything but operators and keys',
  operator: 'make and revoke links, users and campaigns; read the rest',
  viewer: 'read',
};

const OPERATORS_KEY = ['operators'] as const;
const AUDIT_KEY = ['audit'] as const;

export function useOperators() {
  const api = useApi();
  return useQuery({
    queryKey: OPERATORS_KEY,
    queryFn: () => api.call<Page<OperatorRecord>>('GET', '/operators'),
  });
}

export function useAuditLog(filter: { operatorId: string | undefined; cursor: string | undefined }) {
  const api = useApi();
  return useQuery({
    queryKey: [...AUDIT_KEY, filter.operatorId ?? null, filter.cursor ?? null],
    queryFn: () =>
      api.call<Page<AuditEvent>>('GET', '/audit', {
        query: { operator_id: filter.operatorId, cursor: filter.cursor, limit: 20 },
      }),
  });
}

/** A change to the operators; the list and the audit log are read again after it, since both now differ. */
function useOperatorChange<Input, Output>(change: (input: Input) => Promise<Output>) {
  const client = useQueryClient();
  return useMutation<Output, Error, Input>({
    mutationFn: change,
    onSuccess: async () => {
      await Promise.all([
        client.invalidateQueries({ queryKey: OPERATORS_KEY }),
        client.invalidateQueries({ queryKey: AUDIT_KEY }),
      ]);
    },
  });
}

export function useInvite() {
  const api = useApi();
  return useOperatorChange((input: { email: string; role: Role }) =>
    api.call<OperatorRecord>('POST', '/operators', { body: input }),
  );
}

export function useChangeRole() {
  const api = useApi();
  return useOperatorChange((input: { id: string; role: Role }) =>
    api.call<OperatorRecord>('PATCH', `/operators/${encodeURIComponent(input.id)}`, {
      body: { role: input.role },
    }),
  );
}

export function useRemoveOperator() {
  const api = useApi();
  return useOperatorChange((id: string) => api.call<void>('DELETE', `/operators/${encodeURIComponent(id)}`));
}
