/**
 * The root entry, for every runtime (Node.js, browsers, Deno, Bun, edge functions): it imports no Node module. Under
 * Node, `@latchkey/sdk` resolves to node.ts instead, which adds the synchronous helpers on node:crypto.
 */
export { ApiKeys } from './api-keys.js';
export { Apps } from './apps.js';
export {
  CALLBACK_CODE_PARAM,
  type CallbackResult,
  type ExchangeCallbackOptions,
  type ExpressCallbackHandler,
  type ExpressCallbackOptions,
  type ExpressLikeRequest,
  exchangeCallback,
  expressCallback,
  type FastifyCallbackHandler,
  type FastifyCallbackOptions,
  type FastifyLikeReply,
  type FastifyLikeRequest,
  fastifyCallback,
} from './callback.js';
export { Campaigns } from './campaigns.js';
export { Latchkey, type LatchkeyOptions } from './client.js';
export { Delivery } from './delivery.js';
export {
  isLatchkeyErrorCode,
  type LatchkeyClientErrorCode,
  type LatchkeyErrorCode,
  latchkeyErrorCodes,
} from './error-codes.js';
export { LatchkeyError, type LatchkeyErrorOptions } from './errors.js';
export { Events } from './events.js';
export type { FetchLike } from './http.js';
export { MagicLinks } from './magic-links.js';
export { Outbox } from './outbox.js';
export { type SessionKey, SessionKeys } from './session-keys.js';
export { type SessionClaims, Sessions, type VerifySessionOptions } from './sessions.js';
export {
  generateSignInTokenAsync,
  type SignInTokenOptions,
  SignInTokens,
  type SignInUrlOptions,
  signInUrlAsync,
} from './sign-in-tokens.js';
export { SigningKeys } from './signing-keys.js';
export { Stats } from './stats.js';
export { Templates } from './templates.js';
export type {
  ApiKey,
  App,
  AppPatch,
  BulkDryRunResult,
  BulkDryRunRowResult,
  BulkInput,
  BulkOptions,
  BulkResult,
  BulkRowResult,
  BulkSummary,
  Campaign,
  CampaignStatus,
  CampaignWithFigures,
  CreatedApiKey,
  CreatedApp,
  CreatedMagicLink,
  CreatedSigningKey,
  CreateMagicLinkParams,
  CreateWebhookEndpointParams,
  DeliveryAttempt,
  DeliveryCheck,
  DeliveryStatus,
  DeliveryTestResult,
  ExchangeResult,
  IdempotencyOptions,
  LatchkeyEvent,
  LinkStats,
  LinkStatus,
  LinkType,
  LinkVisit,
  LinkWebhookSend,
  ListCampaignsParams,
  ListEventsParams,
  ListMagicLinksParams,
  ListOutboxParams,
  ListSessionsParams,
  ListUsersParams,
  ListWebhookAttemptsParams,
  MagicLink,
  MagicLinkWithDeliveries,
  OutboxMessage,
  OutboxStatus,
  PageParams,
  Redelivery,
  RedirectCheck,
  RedirectCheckParams,
  RefreshResult,
  Session,
  SessionTokens,
  SigningKey,
  StatsCounts,
  StatsParams,
  StreamEventsParams,
  TemplateTestParams,
  TemplateTestResult,
  TimelineEntry,
  UpdateWebhookEndpointParams,
  User,
  UserParams,
  VisitVerdict,
  WebhookAttempt,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
  WebhookEventType,
  WouldCreate,
} from './types.js';
export { webhookEventTypes } from './types.js';
export { Users } from './users.js';
export { WebhookEndpoints } from './webhook-endpoints.js';
export {
  type VerifyWebhookOptions,
  verifyWebhookAsync,
  type WebhookEvent,
  type WebhookHeaders,
  Webhooks,
  WebhookVerificationError,
} from './webhooks.js';
