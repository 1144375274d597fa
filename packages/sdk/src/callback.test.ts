/** The callback helpers against a real, listening Latchkey (SQLite), a real node:http server and a real Fastify app. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, uniqueEmail } from '../../server/src/test-support/test-server.js';
import { type CallbackResult, exchangeCallback, expressCallback, fastifyCallback } from './callback.js';
import { Latchkey } from './client.js';
import { LatchkeyError } from './errors.js';

let server: TestServer;
let baseUrl: string;
let client: Latchkey;

beforeAll(async () => {
  server = await startTestServer('sqlite');
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
  client = new Latchkey({ baseUrl, apiKey: server.apiKey });
});

afterAll(async () => {
  await server?.close();
});

/** Creates a link, presses the hosted page's button and answers the redirect carrying `lk_code`. */
async function callbackUrl(email = uniqueEmail()): Promise<{ email: string; url: URL }> {
  const link = await client.magicLinks.create({ email });
  const res = await fetch(`${baseUrl}/l/${link.secret}`, { method: 'POST', redirect: 'manual' });
  expect(res.status).toBe(303);
  const url = new URL(res.headers.get('location')!);
  expect(url.searchParams.get('lk_code')).toBeTruthy();
  return { email, url };
}

async function rejection(promise: Promise<unknown>): Promise<LatchkeyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LatchkeyError);
  return error as LatchkeyError;
}

describe('exchangeCallback', () => {
  it('exchanges the lk_code of a callback URL once', async () => {
    const { email, url } = await callbackUrl();
    const result = await exchangeCallback(client, url.toString());
    expect(result).not.toBeNull();
    expect(result!.user.email).toBe(email);
    expect(result!.session.token).toBeTypeOf('string');
    expect(result!.session.refresh_token).toBeTypeOf('string');
    expect(result).toHaveProperty('redirectUrl');
    const claims = await client.sessions.verify(result!.session.token, {
      appId: server.appId,
      issuer: (await client.apps.get(server.appId)).public_url,
    });
    expect(claims.sub).toBe(result!.user.id);

    expect(await rejection(exchangeCallback(client, url))).toMatchObject({
      status: 400,
      code: 'code_invalid',
    });
  });

  it('accepts a path and answers null without lk_code', async () => {
    const { url } = await callbackUrl();
    const result = await exchangeCallback(client, `${url.pathname}${url.search}`);
    expect(result?.session.id).toBeTypeOf('string');
    expect(await exchangeCallback(client, '/auth/callback?next=%2F')).toBeNull();
    expect(
      await exchangeCallback(client, new URL('https://app.example.com/auth/callback?lk_code=')),
    ).toBeNull();
  });
});

describe('expressCallback on node:http', () => {
  interface Res {
    raw: ServerResponse;
    status(code: number): Res;
    json(body: unknown): void;
  }
  const adapt = (raw: ServerResponse): Res => {
    const res: Res = {
      raw,
      status(code) {
        raw.statusCode = code;
        return res;
      },
      json(body) {
        raw.setHeader('content-type', 'application/json');
        raw.end(JSON.stringify(body));
      },
    };
    return res;
  };

  const successes: CallbackResult[] = [];
  const errors: LatchkeyError[] = [];
  let nextCalls = 0;
  let http: Server;
  let appUrl: string;

  beforeAll(async () => {
    const handler = expressCallback<IncomingMessage, Res>(client, {
      onSuccess(_req, res, result) {
        successes.push(result);
        res.status(200).json({ user: result.user.id, session: result.session.id });
      },
      onError(req, res, error) {
        if (req.url?.includes('plain=1')) throw error;
        errors.push(error);
        res.status(401).json({ error: { code: error.code } });
      },
    });
    http = createServer((req, raw) => {
      const res = adapt(raw);
      handler(req, res, (error) => {
        nextCalls++;
        if (error) res.status(500).json({ next: 'error', code: (error as LatchkeyError).code });
        else res.status(404).json({ next: 'called' });
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => http?.close(resolve));
  });

  it('signs in and calls onSuccess', async () => {
    const { email, url } = await callbackUrl();
    const res = await fetch(`${appUrl}/auth/callback${url.search}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: string; session: string };
    expect(successes.at(-1)?.user.email).toBe(email);
    expect(body).toEqual({ user: successes.at(-1)!.user.id, session: successes.at(-1)!.session.id });
    expect(nextCalls).toBe(0);

    const again = await fetch(`${appUrl}/auth/callback${url.search}`);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: { code: 'code_invalid' } });
    expect(errors.at(-1)?.code).toBe('code_invalid');
  });

  it('calls next() without lk_code and next(error) when onError throws', async () => {
    const res = await fetch(`${appUrl}/auth/callback?next=%2F`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ next: 'called' });
    expect(nextCalls).toBe(1);

    const failed = await fetch(`${appUrl}/auth/callback?lk_code=lk_nope&plain=1`);
    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ next: 'error', code: 'code_invalid' });
    expect(nextCalls).toBe(2);
  });

  it('sends exchange failures to next(error) without onError', async () => {
    const handler = expressCallback(client, { onSuccess: () => undefined });
    const { url } = await callbackUrl();
    await exchangeCallback(client, url);
    const error = await new Promise<unknown>((resolve) => {
      handler({ url: `/cb${url.search}`, headers: {} }, {}, resolve);
    });
    expect(error).toBeInstanceOf(LatchkeyError);
    expect((error as LatchkeyError).code).toBe('code_invalid');
  });
});

describe('fastifyCallback', () => {
  it('signs in, answers 400 without lk_code and hands a reused code to onError', async () => {
    const errors: LatchkeyError[] = [];
    const app = Fastify();
    app.get(
      '/auth/callback',
      fastifyCallback(client, {
        onSuccess: (_request: FastifyRequest, reply: FastifyReply, result) =>
          reply.code(200).send({ user: result.user.email, session: result.session.id }),
        onError: (_request, reply, error) => {
          errors.push(error);
          return reply.code(401).send({ reused: error.code });
        },
      }),
    );
    app.get(
      '/plain/callback',
      fastifyCallback(client, { onSuccess: (_request, reply: FastifyReply) => reply.redirect('/home') }),
    );
    await app.ready();
    try {
      const { email, url } = await callbackUrl();
      const ok = await app.inject({ method: 'GET', url: `/auth/callback${url.search}` });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ user: email });
      expect(ok.json().session).toMatch(/\S/);

      const reused = await app.inject({ method: 'GET', url: `/auth/callback${url.search}` });
      expect(reused.statusCode).toBe(401);
      expect(reused.json()).toEqual({ reused: 'code_invalid' });
      expect(errors.map((e) => e.code)).toEqual(['code_invalid']);

      const missing = await app.inject({ method: 'GET', url: '/plain/callback?next=%2F' });
      expect(missing.statusCode).toBe(400);
      expect(missing.json()).toEqual({
        error: { code: 'code_invalid', message: expect.stringContaining('lk_code') },
      });

      const handledMissing = await app.inject({ method: 'GET', url: '/auth/callback' });
      expect(handledMissing.statusCode).toBe(401);
      expect(errors.at(-1)).toMatchObject({ code: 'code_invalid', param: 'lk_code' });

      const second = await callbackUrl(email);
      const redirected = await app.inject({ method: 'GET', url: `/plain/callback${second.url.search}` });
      expect(redirected.statusCode).toBe(302);
      expect(redirected.headers.location).toBe('/home');

      const usedPlain = await app.inject({ method: 'GET', url: `/plain/callback${second.url.search}` });
      expect(usedPlain.statusCode).toBe(400);
      expect(usedPlain.json().error.code).toBe('code_invalid');
    } finally {
      await app.close();
    }
  });
});
