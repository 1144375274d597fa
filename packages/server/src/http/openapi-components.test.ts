import { describe, expect, it } from 'vitest';
import { hoistNamedSchemas } from './openapi-components.js';

const user = { type: 'object', title: 'User', description: 'A user', properties: { id: { type: 'string' } } };
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });

describe('named schemas in the reference', () => {
  it('lists a named schema once and points every use at it, keeping a use’s own description', () => {
    const document = hoistNamedSchemas({
      paths: {
        '/a': { get: { responses: { 200: json(user) } } },
        '/b': { post: { responses: { 201: json({ ...user, description: 'The new user' }) } } },
      },
      components: { schemas: { Error: { type: 'object' } } },
    });
    expect(document.components.schemas).toEqual({ Error: { type: 'object' }, User: user });
    expect(document.paths).toEqual({
      '/a': { get: { responses: { 200: json({ $ref: '#/components/schemas/User' }) } } },
      '/b': {
        post: {
          responses: { 201: json({ $ref: '#/components/schemas/User', description: 'The new user' }) },
        },
      },
    });
  });

  it('leaves a different shape under a taken name inline, and examples untouched', () => {
    const other = { type: 'object', title: 'User', properties: { name: { type: 'string' } } };
    const example = { type: 'object', title: 'User', properties: {} };
    const document = hoistNamedSchemas({
      paths: {
        '/a': { get: { responses: { 200: json(user), 201: json(other) } } },
        '/c': { examples: [example] },
      },
    });
    expect(document.paths).toMatchObject({ '/a': { get: { responses: { 201: json(other) } } } });
    expect(document.paths).toMatchObject({ '/c': { examples: [example] } });
  });
});
