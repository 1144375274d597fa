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
export { Latchkey, type LatchkeyOptions } from './client.js';
export {
  isLatchkeyErrorCode,
  type LatchkeyClientErrorCode,
  type LatchkeyErrorCode,
  latchkeyErrorCodes,
} from './error-codes.js';
export { LatchkeyError, type LatchkeyErrorOptions } from './errors.js';
export type { FetchLike } from './http.js';
export { MagicLinks } from './magic-links.js';
export { type SessionKey, SessionKeys } from './session-keys.js';
export { type SessionClaims, Sessions, type VerifySessionOptions } from './sessions.js';
export {
  generateSignInToken,
  type SignInTokenOptions,
  SignInTokens,
  type SignInUrlOptions,
  signInUrl,
} from './sign-in-tokens.js';
export { SigningKeys } from './signing-keys.js';
export type {
  ApiKey,
  App,
  AppPatch,
  BulkInput,
  BulkResult,
  BulkRowResult,
  BulkSummary,
  CreatedApiKey,
  CreatedApp,
  CreatedMagicLink,
  CreatedSigningKey,
  CreateMagicLinkParams,
  ExchangeResult,
  IdempotencyOptions,
  LinkStatus,
  LinkType,
  ListMagicLinksParams,
  ListSessionsParams,
  ListUsersParams,
  MagicLink,
  MagicLinkWithDeliveries,
  PageParams,
  RefreshResult,
  Session,
  SessionTokens,
  SigningKey,
  User,
  UserParams,
} from './types.js';
export { Users } from './users.js';
export { type VerifyWebhookOptions, verifyWebhook, type WebhookHeaders, Webhooks } from './webhooks.js';
