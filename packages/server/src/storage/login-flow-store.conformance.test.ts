/**
 * The login-flow part of the storage contract (`LoginFlowStore`), run unchanged against SQLite and PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../test-support/databases.js';
import {
  appRow,
  email,
  eventRow,
  exchangeCodeRow,
  HOUR,
  id,
  MINUTE,
  planFailure,
  secretHash,
  sessionRow,
  userRow,
  useStore,
} from '../test-support/store-rows.js';
import type { LoginFlowRow, UserRow } from './rows.js';

function flowRow(appId: string, at: number, overrides: Partial<LoginFlowRow> = {}): LoginFlowRow {
  return {
    id: id('lf', at),
    app_id: appId,
    identifier: email(),
    identifier_kind: 'email',
    deliverable: 1,
    browser_hash: secretHash(),
    link_hash: secretHash(),
    code_hash: secretHash(),
    code_attempts: 0,
    redirect_url: 'https://app.example.com/callback',
    code_challenge: null,
    language: null,
    status: 'pending',
    requested_ip: '203.0.113.9',
    requested_user_agent: 'test',
    created_at: at,
    expires_at: at + 15 * MINUTE,
    link_used_at: null,
    decided_at: null,
    completed_at: null,
    session_id: null,
    ...overrides,
  };
}

function planner(at: number) {
  return (flow: LoginFlowRow, user: UserRow) => {
    const session = sessionRow(flow.app_id, user.id, at, { amr: 'otp' });
    return {
      session,
      exchangeCode: exchangeCodeRow(session, at),
      events: [eventRow(flow.app_id, 'session.created', session.id, at)],
    };
  };
}

describe.each(DIALECTS)('login-flow store on %s', (dialect) => {
  const { store } = useStore(dialect);
  const now = Date.now();

  async function seed(overrides: Partial<LoginFlowRow> = {}) {
    const app = appRow(now);
    await store().insertApp(app, [], []);
    const flow = flowRow(app.id, now, overrides);
    await store().insertLoginFlow(flow, undefined, [eventRow(app.id, 'login.started', flow.id, now)]);
    return { app, flow };
  }

  it('finds flows by link, by browser (newest first) and by identifier while open', async () => {
    const { app, flow } = await seed();
    expect(await store().findLoginFlowByLinkHash(flow.link_hash)).toEqual(flow);
    const newer = flowRow(app.id, now + 1000, {
      browser_hash: flow.browser_hash,
      identifier: flow.identifier,
    });
    await store().insertLoginFlow(newer, undefined, []);
    expect((await store().latestLoginFlowForBrowser(app.id, flow.browser_hash))?.id).toBe(newer.id);
    expect((await store().latestOpenLoginFlow(app.id, flow.identifier, now))?.id).toBe(newer.id);
    expect(await store().latestOpenLoginFlow(app.id, flow.identifier, now + HOUR)).toBeUndefined();
    expect(await store().latestLoginFlowForBrowser(appRow(now).id, flow.browser_hash)).toBeUndefined();
  });

  it('counts at most `max` code attempts, whatever the concurrency', async () => {
    const { flow } = await seed();
    const counts = await Promise.all(
      Array.from({ length: 30 }, () => store().countCodeAttempt(flow.id, 5, now)),
    );
    expect(counts.filter((c) => c !== null).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await store().countCodeAttempt(flow.id, 5, now)).toBeNull();
  });

  it('counts nothing on an expired or finished flow', async () => {
    const { flow } = await seed();
    expect(await store().countCodeAttempt(flow.id, 5, flow.expires_at)).toBeNull();
    const { flow: done } = await seed({ status: 'completed' });
    expect(await store().countCodeAttempt(done.id, 5, now)).toBeNull();
  });

  it('lets one approval or refusal spend the link, once', async () => {
    const { flow } = await seed();
    const results = await Promise.all([
      store().decideLoginFlow(flow.id, 'approved', now, []),
      store().decideLoginFlow(flow.id, 'denied', now, []),
      store().decideLoginFlow(flow.id, 'approved', now, []),
    ]);
    const decided = results.filter((r) => r !== undefined);
    expect(decided).toHaveLength(1);
    expect(decided[0]!.link_used_at).toBe(now);
    const { flow: late } = await seed();
    expect(await store().decideLoginFlow(late.id, 'approved', late.expires_at, [])).toBeUndefined();
  });

  it('completes a flow once under concurrency, creating the user on demand', async () => {
    const { app, flow } = await seed();
    const newUser = userRow(app.id, now, { email: flow.identifier });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        store().completeLoginFlow({ flowId: flow.id, from: ['pending'], now, newUser }, planner(now)),
      ),
    );
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(1);
    const done = ok[0]!;
    if (!done.ok) throw new Error('unreachable');
    expect(done.created).toBe(true);
    expect(done.user).toMatchObject({ email: flow.identifier, email_verified: 1 });
    expect(done.flow).toMatchObject({ status: 'completed', link_used_at: now });
    expect(done.flow.session_id).toEqual(expect.any(String));
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'not_open')).toBe(true);
  });

  it('signs in an existing user without creating one, and refuses an unknown one without newUser', async () => {
    const { app, flow } = await seed();
    const user = userRow(app.id, now, { email: flow.identifier });
    await store().insertUser(user, []);
    const result = await store().completeLoginFlow(
      { flowId: flow.id, from: ['pending'], now, newUser: undefined },
      planner(now),
    );
    expect(result).toMatchObject({ ok: true, created: false, user: { id: user.id } });

    const { flow: stranger } = await seed();
    const refused = await store().completeLoginFlow(
      { flowId: stranger.id, from: ['pending'], now, newUser: undefined },
      planner(now),
    );
    expect(refused).toMatchObject({ ok: false, reason: 'no_user' });
    // Rolled back: the flow can still be finished.
    expect((await store().findLoginFlowByLinkHash(stranger.link_hash))?.status).toBe('pending');
  });

  it('writes nothing when the plan throws', async () => {
    const { app, flow } = await seed();
    const newUser = userRow(app.id, now, { email: flow.identifier });
    await expect(
      store().completeLoginFlow({ flowId: flow.id, from: ['pending'], now, newUser }, planFailure),
    ).rejects.toThrow();
    expect((await store().findLoginFlowByLinkHash(flow.link_hash))?.status).toBe('pending');
    expect(await store().findUser(app.id, 'email', flow.identifier)).toBeUndefined();
  });

  it('only completes from the given states', async () => {
    const { flow } = await seed();
    const result = await store().completeLoginFlow(
      { flowId: flow.id, from: ['approved'], now, newUser: undefined },
      planner(now),
    );
    expect(result).toMatchObject({ ok: false, reason: 'not_open', flow: { status: 'pending' } });
  });

  it('purges flows a day after they expired', async () => {
    const { flow } = await seed();
    await store().purgeLoginFlows(flow.expires_at + HOUR);
    expect(await store().findLoginFlowByLinkHash(flow.link_hash)).toBeDefined();
    expect(await store().purgeLoginFlows(flow.expires_at + 25 * HOUR)).toBeGreaterThanOrEqual(1);
    expect(await store().findLoginFlowByLinkHash(flow.link_hash)).toBeUndefined();
  });
});
