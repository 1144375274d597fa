/** The store operations of self-service sign-in flows (login/login-flow-queries.ts). */

import type { ServiceContext } from '../context.js';
import type { LinkContext } from '../links/link-store.js';
import type {
  EventRow,
  ExchangeCodeRow,
  LoginFlowRow,
  OutboxRow,
  SessionRow,
  UserRow,
} from '../storage/rows.js';
import type { LoginFlowStatus } from '../storage/schema.js';

/** What finishing a login flow writes, decided by the service once it knows the user. */
export interface LoginCompletionWrites {
  session: SessionRow;
  exchangeCode: ExchangeCodeRow;
  events: EventRow[];
}

export type LoginCompletionResult =
  | { ok: true; flow: LoginFlowRow; user: UserRow; created: boolean }
  | { ok: false; reason: 'not_open' | 'no_user'; flow: LoginFlowRow | undefined };

export interface LoginFlowStore {
  /** Inserts the flow and, when there is someone to send to, the message carrying its link and code. */
  insertLoginFlow(flow: LoginFlowRow, message: OutboxRow | undefined, events: EventRow[]): Promise<void>;
  findLoginFlowByLinkHash(linkHash: string): Promise<LoginFlowRow | undefined>;
  /** The newest flow this browser started for the app, whatever its state. */
  latestLoginFlowForBrowser(appId: string, browserHash: string): Promise<LoginFlowRow | undefined>;
  /** The newest flow for the identifier that can still be finished (pending or approved, not expired). */
  latestOpenLoginFlow(appId: string, identifier: string, now: number): Promise<LoginFlowRow | undefined>;
  /**
   * Counts one code attempt in a single guarded UPDATE, unless `max` attempts were already counted or the flow can
   * no longer be finished; answers the new count, or null when nothing was counted. Concurrency-safe: of any number
   * of simultaneous attempts at most `max` are ever counted.
   */
  countCodeAttempt(flowId: string, max: number, now: number): Promise<number | null>;
  /**
   * Approval or refusal from another device through the link: spends the link (once) of a pending flow that has not
   * expired. Answers the updated flow, or undefined when the link was used, the flow ended or it expired.
   */
  decideLoginFlow(
    flowId: string,
    decision: 'approved' | 'denied',
    now: number,
    events: EventRow[],
  ): Promise<LoginFlowRow | undefined>;
  /**
   * Finishes a flow that is in one of `from` and not expired: marks it completed (spending its link), finds the user
   * by the flow's identifier or creates `newUser`, and writes what `plan` returns, all in one transaction. If `plan`
   * throws, nothing is written.
   */
  completeLoginFlow(
    input: { flowId: string; from: LoginFlowStatus[]; now: number; newUser: UserRow | undefined },
    plan: (flow: LoginFlowRow, user: UserRow, created: boolean) => LoginCompletionWrites,
  ): Promise<LoginCompletionResult>;
  /** Deletes flows that ended (or expired) more than a day ago. */
  purgeLoginFlows(now: number): Promise<number>;
}

/** What the self-service sign-in services receive. */
export type LoginContext = LinkContext & ServiceContext<LoginFlowStore>;
