/**
 * The client against the back end's contract, with `fetch` injected: what it sends (credentials, the CSRF token on
 * changes only, the app header) and how it reads answers (401 and, for now, 404 from /session as signed out; error
 * bodies; a refused call sent again after a fresh code).
 */
import { describe, expect, it } from 'vitest';
import { ApiError, DashboardApi } from './api.js';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

/** A fetch that answers from `answers` in order and records what was sent. */
function fakeFetch(answers: Array<[number, unknown?]>) {
  const sent: Sent[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    sent.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      credentials: init?.credentials,
    });
    const [status, body] = answers.shift() ?? [
      500,
      { error: { code: 'internal', message: 'no answer left' } },
    ];
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, sent };
}

const SESSION = {
  operator: { id: 'op_1', email: 'ada@acme.example', role: 'owner' },
  csrf_token: 'csrf_1',
  apps: [{ id: 'app_1', name: 'Acme' }],
};

describe('DashboardApi', () => {
  it('reads the session, then sends its CSRF token with changes and never with reads', async () => {
    const { fetch, sent } = fakeFetch([
      [200, SESSION],
      [200, { funnel: {} }],
      [201, { magic_link: {} }],
    ]);
    const api = new DashboardApi({ fetch });
    expect(await api.session()).toEqual(SESSION);
    await api.stats('app_1', { from: '2026-01-01T00:00:00.000Z' });
    await api.v1('POST', '/magic-links', { app: 'app_1', body: { email: 'a@b.example' } });

    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /dashboard/api/session',
      'GET /dashboard/api/v1/stats?from=2026-01-01T00%3A00%3A00.000Z',
      'POST /dashboard/api/v1/magic-links',
    ]);
    expect(sent.every((s) => s.credentials === 'same-origin')).toBe(true);
    expect(sent[1]!.headers).toEqual({ accept: 'application/json', 'latchkey-app': 'app_1' });
    expect(sent[2]!.headers).toMatchObject({
      'content-type': 'application/json',
      'latchkey-app': 'app_1',
      'x-csrf-token': 'csrf_1',
    });
    expect(sent[2]!.body).toEqual({ email: 'a@b.example' });
  });

  it.each([401, 404])('takes %i from /session as signed out', async (status) => {
    const { fetch } = fakeFetch([[status, { error: { code: 'unauthorized', message: 'Sign in.' } }]]);
    expect(await new DashboardApi({ fetch }).session()).toBeNull();
  });

  it('signs in without a CSRF token (there is no session yet) and reads the code length', async () => {
    const { fetch, sent } = fakeFetch([
      [202, { status: 'pending', code_length: 6, expires_in_seconds: 900 }],
      [200, { status: 'signed_in' }],
    ]);
    const api = new DashboardApi({ fetch });
    expect(await api.startSignIn('ada@acme.example')).toMatchObject({ code_length: 6 });
    await api.verifySignIn('ada@acme.example', 'K7M2QP');
    expect(sent.map((s) => s.headers['x-csrf-token'])).toEqual([undefined, undefined]);
    expect(sent[1]!.body).toEqual({ email: 'ada@acme.example', code: 'K7M2QP' });
  });

  it('turns an error body into an ApiError with its code, message and param', async () => {
    const body = { error: { code: 'code_invalid', message: 'That code is not right.', param: 'code' } };
    const { fetch } = fakeFetch([[400, body]]);
    const error = await new DashboardApi({ fetch }).verifySignIn('a@b.example', 'X').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'code_invalid',
      param: 'code',
      message: 'That code is not right.',
    });
  });

  it('says what happened when the answer has no error body, or there is no answer', async () => {
    const { fetch } = fakeFetch([[502]]);
    await expect(new DashboardApi({ fetch }).v1('GET', '/events')).rejects.toMatchObject({
      status: 502,
      code: 'unexpected_response',
    });
    const offline = new DashboardApi({
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
    });
    await expect(offline.v1('GET', '/events')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('asks for a fresh code on reauth_required and sends the refused call once more', async () => {
    const reauth = { error: { code: 'reauth_required', message: 'Enter a fresh code.' } };
    const { fetch, sent } = fakeFetch([[200, SESSION], [403, reauth], [204]]);
    const api = new DashboardApi({ fetch });
    await api.session();
    let asked = 0;
    api.handleReauth(async () => {
      asked++;
      return true;
    });
    await api.v1('DELETE', '/api-keys/key_1', { app: 'app_1' });
    expect(asked).toBe(1);
    expect(sent.slice(1).map((s) => `${s.method} ${s.url} ${s.headers['x-csrf-token']}`)).toEqual([
      'DELETE /dashboard/api/v1/api-keys/key_1 csrf_1',
      'DELETE /dashboard/api/v1/api-keys/key_1 csrf_1',
    ]);
  });

  it('fails with reauth_required when the operator gives up, and asks only once per call', async () => {
    const reauth = { error: { code: 'reauth_required', message: 'Enter a fresh code.' } };
    const gaveUp = fakeFetch([[403, reauth]]);
    const api = new DashboardApi({ fetch: gaveUp.fetch });
    api.handleReauth(async () => false);
    await expect(api.v1('DELETE', '/api-keys/key_1')).rejects.toMatchObject({ code: 'reauth_required' });

    const stillRefused = fakeFetch([
      [403, reauth],
      [403, reauth],
    ]);
    const again = new DashboardApi({ fetch: stillRefused.fetch });
    let asked = 0;
    again.handleReauth(async () => {
      asked++;
      return true;
    });
    await expect(again.v1('DELETE', '/api-keys/key_1')).rejects.toMatchObject({ code: 'reauth_required' });
    expect(asked).toBe(1);
  });
});
