/**
 * Holds an answer to its documented schema outside a server: the lines of an NDJSON stream, or a body a test has
 * already read. It uses the response check's own validator (http/response-check.ts), as strictly: every object
 * closed to the fields the schema names.
 */
import { schemaChecker } from '../http/response-check.js';
import { ErrorBody } from '../http/schemas.js';

const problemsOf = await schemaChecker([ErrorBody]);

/** Throws, naming each difference, unless `body` is what `schema` documents. */
export function expectDocumented(schema: object, body: unknown): void {
  const problems = problemsOf(schema, body);
  if (problems) throw new Error(`the answer does not match its documented schema: ${problems}`);
}
