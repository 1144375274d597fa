import type { Page } from 'playwright-core';

/**
 * A call made from inside the dashboard's page with its own cookie and CSRF token, the way a person could force one
 * from the browser's console: what the UI hides, the server must still refuse. Answers the status and the body.
 */
export async function fetchInPage(
  page: Page,
  method: string,
  path: string,
  options: { body?: unknown; app?: string } = {},
): Promise<{
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}> {
  // Written as text: this file is type-checked for Node, without the DOM's names.
  const script = `(async ({ method, path, body, app }) => {
    const session = await (await fetch('/dashboard/api/session')).json();
    const headers = { 'x-csrf-token': session.csrf_token, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (app) headers['latchkey-app'] = app;
    const response = await fetch(path, {
      method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  })`;
  return page.evaluate(`${script}(${JSON.stringify({ method, path, ...options })})`) as Promise<{
    status: number;
    body: { error?: { code: string; message: string } } & Record<string, unknown>;
  }>;
}
