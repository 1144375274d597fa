/** The store operations of the dashboard's operators, their sessions and one-time sign-in tokens (operator-queries.ts). */
import type { ServiceContext } from '../context.js';
import type { LoginContext } from '../login/login-flow-store.js';
import type {
  EventRow,
  OperatorRow,
  OperatorSessionRow,
  OperatorTokenRow,
  Page,
  UserRow,
} from '../storage/rows.js';
import type { OperatorRole } from '../storage/schema.js';

export interface OperatorStore {
  /** Writes the operator and its user in the internal app, with the events, in one transaction. */
  insertOperator(operator: OperatorRow, user: UserRow, events: EventRow[]): Promise<void>;
  getOperator(id: string): Promise<OperatorRow | undefined>;
  findOperatorByEmail(email: string): Promise<OperatorRow | undefined>;
  findOperatorByUser(userId: string): Promise<OperatorRow | undefined>;
  /** Every operator, oldest first (there are a handful). */
  listOperators(): Promise<OperatorRow[]>;
  countOperators(): Promise<number>;
  /** Answers the operator as it is after the change, or undefined when there is none. */
  setOperatorRole(
    id: string,
    role: OperatorRole,
    now: number,
    events: EventRow[],
  ): Promise<OperatorRow | undefined>;
  /** Sets the email of an operator and of its user; a taken email is a UniqueViolation. */
  setOperatorEmail(
    id: string,
    email: string,
    now: number,
    events: EventRow[],
  ): Promise<OperatorRow | undefined>;
  /** Deletes the operator and its user, and ends every session it has, in one transaction. */
  deleteOperator(id: string, now: number, events: EventRow[]): Promise<boolean>;
  markOperatorSignedIn(id: string, now: number): Promise<void>;

  insertOperatorSession(row: OperatorSessionRow, events: EventRow[]): Promise<void>;
  findOperatorSession(secretHash: string): Promise<OperatorSessionRow | undefined>;
  touchOperatorSession(id: string, now: number): Promise<void>;
  markOperatorReauthenticated(id: string, now: number): Promise<void>;
  revokeOperatorSession(id: string, now: number): Promise<void>;

  insertOperatorToken(row: OperatorTokenRow): Promise<void>;
  /** Spends a token that is unused and not expired; exactly one caller gets it, under any concurrency. */
  consumeOperatorToken(tokenHash: string, now: number): Promise<OperatorTokenRow | undefined>;
  /** Whether a token can still be used (read-only: the confirm page asks before the button is pressed). */
  findOperatorToken(tokenHash: string): Promise<OperatorTokenRow | undefined>;

  /**
   * The audit log: changes made through the dashboard and changes to operators, on every app and on the
   * installation, newest first.
   */
  listAuditEvents(
    filter: { operatorId?: string | undefined; appId?: string | undefined },
    page: Page,
  ): Promise<EventRow[]>;
}

/** What the dashboard's services receive: the sign-in machinery of self-service login, and the operators. */
export type DashboardContext = LoginContext & ServiceContext<OperatorStore>;
