/**
 * The people who may use the dashboard, and their roles: owner (everything), admin (everything but operators and
 * keys), operator (links, users, campaigns; reads the rest), viewer (reads). Each operator is a user of the internal
 * app, so that the ordinary sign-in flow can send them a link and a code.
 */
import { newId } from '../crypto/tokens.js';
import { ApiError } from '../errors/api-error.js';
import { makeEvent } from '../events/event-factory.js';
import type { Principal } from '../http/auth.js';
import { iso, isoOrNull } from '../http/present.js';
import type { EventRow, OperatorRow, Page } from '../storage/rows.js';
import type { OperatorRole } from '../storage/schema.js';
import { buildUser, emailOrThrow, throwAsConflict } from '../users/user-service.js';
import { internalApp } from './internal-app.js';
import type { DashboardContext } from './operator-store.js';

export const ROLES: readonly OperatorRole[] = ['owner', 'admin', 'operator', 'viewer'];

export function presentOperator(row: OperatorRow) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    invited_by: row.invited_by,
    created_at: iso(row.created_at),
    last_sign_in_at: isoOrNull(row.last_sign_in_at),
  };
}

export async function createOperator(
  ctx: DashboardContext,
  input: { email: string; role: OperatorRole; invitedBy: string },
): Promise<OperatorRow> {
  const email = emailOrThrow(input.email);
  const app = await internalApp(ctx);
  const now = ctx.clock();
  const user = buildUser(ctx, app.id, { email }, now);
  const operator: OperatorRow = {
    id: newId('op', now, ctx.random),
    email,
    role: input.role,
    user_id: user.id,
    invited_by: input.invitedBy,
    created_at: now,
    updated_at: now,
    last_sign_in_at: null,
  };
  await ctx.store
    .insertOperator(operator, user, [
      makeEvent(
        ctx,
        null,
        'operator.created',
        operator.id,
        { operator_id: operator.id, role: operator.role, invited_by: input.invitedBy },
        now,
      ),
    ])
    .catch(throwAsConflict);
  return operator;
}

/** The owners named in LATCHKEY_DASHBOARD_OPERATORS, added at start when they are not operators yet. */
export async function seedOperators(
  ctx: DashboardContext,
  emails: readonly string[],
): Promise<OperatorRow[]> {
  const added: OperatorRow[] = [];
  for (const raw of emails) {
    const email = emailOrThrow(raw, 'LATCHKEY_DASHBOARD_OPERATORS');
    if (await ctx.store.findOperatorByEmail(email)) continue;
    try {
      added.push(await createOperator(ctx, { email, role: 'owner', invitedBy: 'config' }));
    } catch (error) {
      // Another node seeded the same address at the same moment.
      if (!(error instanceof ApiError && error.code === 'conflict')) throw error;
    }
  }
  return added;
}

/** The audit log; `operatorId` narrows it to what one operator did (or what was done to them). */
export function listAuditLog(
  ctx: DashboardContext,
  filter: { operatorId?: string | undefined; appId?: string | undefined },
  page: Page,
): Promise<EventRow[]> {
  return ctx.store.listAuditEvents(filter, page);
}

export function listOperators(ctx: DashboardContext): Promise<OperatorRow[]> {
  return ctx.store.listOperators();
}

export async function findOperatorByEmail(
  ctx: DashboardContext,
  email: string,
): Promise<OperatorRow | undefined> {
  return ctx.store.findOperatorByEmail(emailOrThrow(email));
}

export async function countOperators(ctx: DashboardContext): Promise<number> {
  return ctx.store.countOperators();
}

export function findOperator(ctx: DashboardContext, id: string): Promise<OperatorRow | undefined> {
  return ctx.store.getOperator(id);
}

export async function getOperatorOrThrow(ctx: DashboardContext, id: string): Promise<OperatorRow> {
  const row = await ctx.store.getOperator(id);
  if (!row) throw new ApiError('not_found', `No operator ${id}.`);
  return row;
}

export async function changeRole(
  ctx: DashboardContext,
  id: string,
  role: OperatorRole,
  actor: Principal,
): Promise<OperatorRow> {
  const current = await getOperatorOrThrow(ctx, id);
  if (current.role === 'owner' && role !== 'owner') await keepAnOwner(ctx);
  const row = await ctx.store.setOperatorRole(id, role, ctx.clock(), [
    makeEvent(ctx, null, 'operator.updated', id, {
      operator_id: id,
      actor_operator_id: actor.keyId,
      before: { role: current.role },
      after: { role },
    }),
  ]);
  if (!row) throw new ApiError('not_found', `No operator ${id}.`);
  return row;
}

export async function removeOperator(ctx: DashboardContext, id: string, actor: Principal): Promise<void> {
  const current = await getOperatorOrThrow(ctx, id);
  if (current.role === 'owner') await keepAnOwner(ctx);
  const removed = await ctx.store.deleteOperator(id, ctx.clock(), [
    makeEvent(ctx, null, 'operator.removed', id, {
      operator_id: id,
      actor_operator_id: actor.keyId,
      before: { email: current.email, role: current.role },
    }),
  ]);
  if (!removed) throw new ApiError('not_found', `No operator ${id}.`);
}

/** The last owner may not be demoted or removed: nobody could then manage operators or keys. */
async function keepAnOwner(ctx: DashboardContext): Promise<void> {
  const owners = (await ctx.store.listOperators()).filter((operator) => operator.role === 'owner');
  if (owners.length <= 1) {
    throw new ApiError(
      'conflict',
      'This is the last owner. Make another operator an owner first, so someone can still manage operators and keys.',
      { param: 'role' },
    );
  }
}
