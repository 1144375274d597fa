import type { Transport } from './http.js';
import type { App, AppPatch, CreatedApp, PageParams, RedirectCheck, RedirectCheckParams } from './types.js';

const path = (id: string) => `/v1/apps/${encodeURIComponent(id)}`;

export class Apps {
  readonly #http: Transport;

  constructor(http: Transport) {
    this.#http = http;
  }

  /** Creates another app (admin key). The answer holds the app's first API key, shown this once. */
  create(params: AppPatch & { name: string }): Promise<CreatedApp> {
    return this.#http.request({ method: 'POST', path: '/v1/apps', body: params });
  }

  /** Every app (admin key), newest first. */
  list(params: PageParams = {}): AsyncGenerator<App, void, undefined> {
    return this.#http.paginate<App>('/v1/apps', { ...params });
  }

  /** The app's settings (an app key reads its own app; an admin key any). */
  get(appId: string): Promise<App> {
    return this.#http.request({ method: 'GET', path: path(appId) });
  }

  /**
   * Whether a link could redirect to `url` (or to the page shortcut `redirect_to`), by the same allowlist check link
   * creation makes, with the entry that matched and the reason in words. Changes nothing. `appId` names the app for
   * an admin key; an app key checks its own app.
   */
  checkRedirect(params: RedirectCheckParams, appId?: string): Promise<RedirectCheck> {
    return this.#http.request({
      method: 'POST',
      path: appId === undefined ? '/v1/redirect-check' : `${path(appId)}/redirect-check`,
      body: params,
      idempotent: true,
    });
  }

  /** Changes settings; `allowed_redirects` and `page_shortcuts` are replaced as a whole. */
  update(appId: string, patch: AppPatch): Promise<App> {
    return this.#http.request({ method: 'PATCH', path: path(appId), body: patch, idempotent: true });
  }
}
