/**
 * The rows storage reads and writes, one type per table, and the page of a list. The operations on them are
 * declared by the capability that needs them, beside its service (links/link-store.ts, users/user-store.ts, …), and
 * implemented there on Kysely; the top-level store.ts puts them together.
 */

import type {
  ApiKeysTable,
  AppsTable,
  CampaignsTable,
  EventsTable,
  ExchangeCodesTable,
  IdempotencyKeysTable,
  LinkVisitsTable,
  LoginFlowsTable,
  MagicLinksTable,
  OperatorSessionsTable,
  OperatorsTable,
  OperatorTokensTable,
  OutboxAttemptsTable,
  OutboxTable,
  RefreshTokensTable,
  SessionKeysTable,
  SessionsTable,
  SigningKeysTable,
  TemplatesTable,
  UsersTable,
  WebhookAttemptsTable,
  WebhookEndpointsTable,
} from './schema.js';

export type AppRow = AppsTable;
export type ApiKeyRow = ApiKeysTable;
export type UserRow = UsersTable;
export type MagicLinkRow = MagicLinksTable;
export type SessionRow = SessionsTable;
export type RefreshTokenRow = RefreshTokensTable;
export type ExchangeCodeRow = ExchangeCodesTable;
export type EventRow = EventsTable;
export type SessionKeyRow = SessionKeysTable;
export type SigningKeyRow = SigningKeysTable;
export type OutboxRow = OutboxTable;
export type OutboxAttemptRow = OutboxAttemptsTable;
export type LinkVisitRow = LinkVisitsTable;
export type TemplateRow = TemplatesTable;
export type LoginFlowRow = LoginFlowsTable;
export type IdempotencyRow = IdempotencyKeysTable;
export type WebhookEndpointRow = WebhookEndpointsTable;
export type WebhookAttemptRow = WebhookAttemptsTable;
export type OperatorRow = OperatorsTable;
export type OperatorSessionRow = OperatorSessionsTable;
export type OperatorTokenRow = OperatorTokensTable;
export type CampaignRow = CampaignsTable;

/** Newest first; `cursor` is the id of the last row of the previous page. */
export interface Page {
  limit: number;
  cursor?: string | undefined;
}
