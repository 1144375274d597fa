/**
 * Holds an answer that a route sends as ready-made text to its documented schema. The response check of the test
 * servers (http/response-check.ts) sees only what Fastify serialises; an answer written once and replayed under an
 * `Idempotency-Key` (a new link, a bulk answer) is sent as text, so its tests hold it to the schema here, as
 * strictly: every object closed to the fields the schema names.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { closed } from '../http/response-check.js';
import { ErrorBody } from '../http/schemas.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
ajv.addSchema(ErrorBody);

/** Throws, naming each difference, unless `body` is what `schema` documents. */
export function expectDocumented(schema: object, body: unknown): void {
  const validate = ajv.compile(closed(schema) as object);
  if (validate(body)) return;
  const issues = (validate.errors ?? []).map((issue) => `${issue.instancePath || '/'} ${issue.message}`);
  throw new Error(`the answer does not match its documented schema: ${issues.join('; ')}`);
}
