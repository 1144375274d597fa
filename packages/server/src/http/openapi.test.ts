/**
 * The API reference is a contract clients generate code from: it must be a valid OpenAPI 3.1 document, and every
 * operation must name itself, say what it answers on success and with which error body, and be grouped. The route
 * tests hold the real answers to these schemas (http/response-check.ts); this file holds the document itself.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { Type } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { checkResponses, closed } from './response-check.js';
import { ErrorBody } from './schemas.js';

type Operation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
};
type Document = {
  openapi: string;
  servers?: { url: string }[];
  tags?: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

let server: TestServer;
let document: Document;

beforeAll(async () => {
  server = await startTestServer();
  document = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
});
afterAll(() => server.close());

const operations = (): [string, Operation][] =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(
      structuredClone(document) as Parameters<Validator['validate']>[0],
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('names the installation it describes as its server', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: 'https://auth.example.com' })]);
  });

  it('gives every operation a unique operationId, a summary and a known tag', () => {
    const tags = new Set(document.tags?.map((tag) => tag.name));
    const ids = new Map<string, string>();
    const missing: string[] = [];
    for (const [name, operation] of operations()) {
      if (!operation.operationId || !/^[a-z][A-Za-z0-9]+$/.test(operation.operationId))
        missing.push(`${name}: id`);
      else if (ids.has(operation.operationId))
        missing.push(`${name}: same id as ${ids.get(operation.operationId)}`);
      else ids.set(operation.operationId, name);
      if (!operation.summary) missing.push(`${name}: summary`);
      if (!operation.tags?.length || !operation.tags.every((tag) => tags.has(tag)))
        missing.push(`${name}: tag`);
    }
    expect(missing).toEqual([]);
  });

  it('documents a success answer with a description for every operation', () => {
    const missing = operations()
      .filter(([, operation]) => {
        const successes = Object.entries(operation.responses ?? {}).filter(([status]) =>
          status.startsWith('2'),
        );
        return (
          successes.length === 0 ||
          successes.some(([, r]) => !r.description || r.description === 'Default Response')
        );
      })
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('documents the error body for every error answer, and the errors every route can meet', () => {
    const wrong: string[] = [];
    for (const [name, operation] of operations()) {
      const statuses = Object.keys(operation.responses ?? {});
      for (const status of ['500', '503'])
        if (!statuses.includes(status)) wrong.push(`${name}: no ${status}`);
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^[45]/.test(status)) continue;
        const schema = response.content?.['application/json']?.schema as { $ref?: string } | undefined;
        if (schema?.$ref !== '#/components/schemas/Error')
          wrong.push(`${name}: ${status} is not the Error body`);
      }
    }
    expect(wrong).toEqual([]);
    expect(JSON.stringify(document.components.schemas.Error)).toContain('storage_unavailable');
  });

  it('names the resources once under components, for client generators', () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['User', 'MagicLink', 'CreatedMagicLink', 'Session', 'ExchangeResult', 'App']),
    );
    expect(JSON.stringify(document.paths)).not.toMatch(/"title":"User"/);
  });

  it('documents 401 and 403 for every operation that takes a key, and no key for public ones', () => {
    const publicOnes = operations()
      .filter(([, operation]) => (operation as { security?: unknown[] }).security?.length === 0)
      .map(([name]) => name);
    expect(publicOnes).toEqual(
      expect.arrayContaining(['POST /v1/public/login/start', 'GET /.well-known/jwks.json']),
    );
    const wrong = operations()
      .filter(([, operation]) => (operation as { security?: unknown[] }).security?.length !== 0)
      .filter(
        ([, operation]) => !('401' in (operation.responses ?? {}) && '403' in (operation.responses ?? {})),
      )
      .map(([name]) => name);
    expect(wrong).toEqual([]);
  });

  it('is browsable at /docs under Latchkey’s name', async () => {
    const page = await server.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<title>Latchkey API reference<\/title>/);
    expect(page.body).not.toMatch(/<title>[^<]*(Fastify|Swagger)/i);
  });
});

describe('the response check', () => {
  const Thing = Type.Object({ id: Type.String(), tags: Type.Array(Type.Object({ name: Type.String() })) });

  async function appAnswering(body: unknown, status = 200, asText = false) {
    const app = Fastify();
    app.addSchema(ErrorBody);
    await checkResponses(app, [ErrorBody]);
    app.get('/thing', { schema: { response: { 200: Thing, 201: Thing } } }, async (_request, reply) =>
      asText
        ? reply
            .code(status as 200)
            .type('application/json')
            .send(JSON.stringify(body) as never)
        : reply.code(status as 200).send(body),
    );
    const res = await app.inject({ method: 'GET', url: '/thing' });
    await app.close();
    return res.statusCode;
  }

  it('lets a documented answer through', async () => {
    expect(await appAnswering({ id: 'a', tags: [{ name: 'x' }] })).toBe(200);
  });

  it('refuses a field the schema does not name, at any depth (the serializer would drop it)', async () => {
    expect(await appAnswering({ id: 'a', tags: [], secret_extra: 1 })).toBe(500);
    expect(await appAnswering({ id: 'a', tags: [{ name: 'x', extra: true }] })).toBe(500);
  });

  it('holds an answer sent as ready-made JSON text to the schema too (idempotent replays are sent so)', async () => {
    expect(await appAnswering({ id: 'a', tags: [] }, 200, true)).toBe(200);
    expect(await appAnswering({ id: 'a', tags: [], extra: 1 }, 200, true)).toBe(500);
  });

  it('refuses a wrong type and a status the route does not document', async () => {
    expect(await appAnswering({ id: 1, tags: [] })).toBe(500);
    expect(await appAnswering({ id: 'a', tags: [] }, 202)).toBe(500);
  });

  it('closes objects but leaves allOf branches open and closes their parent', () => {
    const schema = closed({
      allOf: [
        { type: 'object', properties: { a: {} } },
        { type: 'object', properties: { b: {} } },
      ],
    }) as { allOf: { additionalProperties?: boolean }[]; unevaluatedProperties?: boolean };
    expect(schema.allOf.map((branch) => branch.additionalProperties)).toEqual([undefined, undefined]);
    expect(schema.unevaluatedProperties).toBe(false);
    expect(closed({ type: 'object', additionalProperties: true })).toEqual({
      type: 'object',
      additionalProperties: true,
    });
  });
});
