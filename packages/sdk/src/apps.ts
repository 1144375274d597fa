import type { Transport } from './http.js';
import type { App, AppPatch, CreatedApp, PageParams } from './types.js';

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

  /** Changes settings; `allowed_redirects` and `page_shortcuts` are replaced as a whole. */
  update(appId: string, patch: AppPatch): Promise<App> {
    return this.#http.request({ method: 'PATCH', path: path(appId), body: patch, idempotent: true });
  }
}
