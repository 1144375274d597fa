/**
 * The answers of `POST /v1/magic-links/bulk` as the reference shows them: one result per row, in order, then a
 * summary; as a JSON object, as CSV, or streamed as NDJSON lines (each row's result, then `{"summary": …}`).
 */
import { Type } from 'typebox';
import { ErrorBody, Id, LinkTypeSchema, Named, Nullable, OneOf } from '../../http/schemas.js';
import { CreatedMagicLink } from '../link-present.js';
import { CreateLinkBody } from '../link-routes.js';
import { CSV_COLUMNS } from './bulk-service.js';

const row = Type.Integer({ minimum: 1, description: 'The row’s place in the body, from 1.' });
/** Why a row failed: the error a single create would have answered, with its code, message and field. */
const RowError = {
  ...ErrorBody.properties.error,
  description: 'Why the row failed, as POST /v1/magic-links says it.',
};
const count = (description: string) => Type.Integer({ minimum: 0, description });

/** What a row of a dry run would create: no id or token, the existing user or whether it would make one. */
const WouldCreate = Type.Object({
  user_id: Nullable(Id('usr')),
  new_user: Type.Boolean({ description: 'The row would make its user (then `user_id` is null).' }),
  identifier: Type.String(),
  type: LinkTypeSchema,
  channel: Nullable(OneOf(['email', 'phone'] as const)),
  send: Type.Boolean({ description: 'Whether a message would be queued.' }),
  redirect_url: Nullable(Type.String()),
  magic_link_path: Nullable(Type.String()),
  ttl: Type.Integer({ minimum: 1, description: 'Minutes.' }),
});

export const BulkRowResult = Type.Union([
  Type.Object({ row, magic_link: CreatedMagicLink }),
  Type.Object({ row, error: RowError }),
]);

export const BulkSummary = Named(
  'BulkSummary',
  Type.Object({
    created: count('Rows that made a link.'),
    failed: count('Rows that failed.'),
    campaign_id: Type.Optional(Id('cmp')),
  }),
);

const BulkResult = Type.Object(
  { data: Type.Array(BulkRowResult), summary: BulkSummary },
  { description: 'The links made (a created link’s answer, secret included) and the rows that failed' },
);

const BulkDryRunResult = Type.Object(
  {
    dry_run: Type.Literal(true),
    data: Type.Array(
      Type.Union([Type.Object({ row, would_create: WouldCreate }), Type.Object({ row, error: RowError })]),
    ),
    summary: Type.Object({
      would_create: count('Rows that would make a link.'),
      failed: count('Rows that would fail.'),
    }),
  },
  { description: 'With `dry_run`: what each row would make, and nothing made' },
);

/** The body in each format it can come in, for the reference (bulk-service.ts reads and checks each row). */
export const BulkRequestBody = {
  content: {
    'application/json': {
      schema: Type.Array(CreateLinkBody, {
        description: 'Link objects, each as POST /v1/magic-links takes one.',
        examples: [
          [
            { email: 'ada@example.com', send: true },
            { email: 'grace@example.com', send: true, type: 'invite', metadata: { team: 'ops' } },
          ],
        ],
      }),
    },
    'text/csv': {
      schema: Type.String({
        description:
          'A header row naming the fields of POST /v1/magic-links (`email`, `phone`, `user_id`, `type`, `send`, `redirect_url`, …; `metadata` as JSON), then one link per row.',
        examples: ['email,type,send\r\nada@example.com,login,true\r\ngrace@example.com,invite,true\r\n'],
      }),
    },
    'application/x-ndjson': {
      schema: Type.String({
        description: 'One link object per line (also taken as application/jsonl).',
        examples: [
          '{"email":"ada@example.com","send":true}\n{"email":"grace@example.com","type":"invite"}\n',
        ],
      }),
    },
  },
};

/** The 200 of a bulk request in each format it can be asked for with `Accept`. */
export const BulkAnswer = {
  description:
    'One result per row, in order: JSON (the default), CSV (`Accept: text/csv`) or NDJSON streamed as the rows are made (`Accept: application/x-ndjson`). A campaign’s id is also in the `Latchkey-Campaign` header.',
  headers: {
    'Latchkey-Campaign': { ...Id('cmp'), description: 'The campaign the request made, with `campaign`.' },
  },
  content: {
    'application/json': { schema: Type.Union([BulkResult, BulkDryRunResult]) },
    'text/csv': {
      schema: Type.String({
        description: `Under the header ${CSV_COLUMNS.join(',')}; a row's status is created, would_create or failed.`,
      }),
    },
    'application/x-ndjson': {
      schema: Type.String({
        description:
          'One JSON line per row as it is made (as an item of `data`), then `{"summary": {…}}`. A client that hangs up stops the run.',
        examples: [
          '{"row":1,"magic_link":{"id":"ml_01jeq9v3kx7m2c8r4t6w0yzb5n",…}}\n{"row":2,"error":{"code":"invalid_email","message":"…","param":"email"}}\n{"summary":{"created":1,"failed":1}}\n',
        ],
      }),
    },
  },
};
