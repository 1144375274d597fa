import { ApiKeys } from './api-keys.js';
import { Apps } from './apps.js';
import { Campaigns } from './campaigns.js';
import { Delivery } from './delivery.js';
import { Events } from './events.js';
import { type FetchLike, Transport } from './http.js';
import { MagicLinks } from './magic-links.js';
import { Outbox } from './outbox.js';
import { SessionKeys } from './session-keys.js';
import { Sessions } from './sessions.js';
import { SignInTokens } from './sign-in-tokens.js';
import { SigningKeys } from './signing-keys.js';
import { Stats } from './stats.js';
import { Templates } from './templates.js';
import { Users } from './users.js';
import { WebhookEndpoints } from './webhook-endpoints.js';
import { Webhooks } from './webhooks.js';

export interface LatchkeyOptions {
  /** Where the SDK reaches Latchkey, for example `https://auth.example.com` or `http://latchkey:8080`. */
  baseUrl: string;
  /** An app API key (`lk_sk_…`). Offline helpers (sign-in tokens, webhooks, verify) work without one. */
  apiKey?: string;
  /**
   * The app an admin key (`lk_admin_…`) acts on, sent as the `Latchkey-App` header. An app key always acts on its
   * own app and needs no `appId`.
   */
  appId?: string;
  /** A fetch to use instead of the global one (for proxies, instrumentation or tests). */
  fetch?: FetchLike;
  /** Retries for calls that are safe to repeat, on 429, 502, 503, 504 and network errors. Default 2. */
  maxRetries?: number;
  /** The first retry delay in milliseconds, doubled each time, unless the server sends `Retry-After`. Default 250. */
  retryDelayMs?: number;
  /**
   * After a session-key rotation, tokens name a key this client has not seen; it fetches the JWKS again at most
   * once per this many milliseconds. Default 30,000 (jose's default).
   */
  jwksCooldownMs?: number;
  /** The `iss` of session tokens: the server's public URL. Default `baseUrl` without a trailing slash. */
  issuer?: string;
}

export class Latchkey {
  readonly baseUrl: string;
  readonly magicLinks: MagicLinks;
  readonly campaigns: Campaigns;
  readonly users: Users;
  readonly apps: Apps;
  readonly apiKeys: ApiKeys;
  readonly signingKeys: SigningKeys;
  readonly sessionKeys: SessionKeys;
  readonly sessions: Sessions;
  readonly signInTokens: SignInTokens;
  readonly webhooks: Webhooks;
  readonly webhookEndpoints: WebhookEndpoints;
  readonly events: Events;
  readonly stats: Stats;
  readonly outbox: Outbox;
  readonly delivery: Delivery;
  readonly templates: Templates;

  constructor(options: LatchkeyOptions) {
    if (!options?.baseUrl) throw new TypeError('new Latchkey({ baseUrl }) needs the Latchkey server URL.');
    const http = new Transport({
      baseUrl: options.baseUrl,
      apiKey: options.apiKey,
      appId: options.appId,
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      maxRetries: options.maxRetries ?? 2,
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    });
    this.baseUrl = http.baseUrl;
    this.magicLinks = new MagicLinks(http);
    this.campaigns = new Campaigns(http);
    this.users = new Users(http);
    this.apps = new Apps(http);
    this.apiKeys = new ApiKeys(http);
    this.signingKeys = new SigningKeys(http);
    this.sessions = new Sessions(
      http,
      (options.issuer ?? http.baseUrl).replace(/\/+$/, ''),
      options.jwksCooldownMs,
    );
    this.sessionKeys = new SessionKeys(http);
    this.signInTokens = new SignInTokens(http.baseUrl);
    this.webhooks = new Webhooks();
    this.webhookEndpoints = new WebhookEndpoints(http);
    this.events = new Events(http);
    this.stats = new Stats(http);
    this.outbox = new Outbox(http);
    this.delivery = new Delivery(http);
    this.templates = new Templates(http);
  }
}
