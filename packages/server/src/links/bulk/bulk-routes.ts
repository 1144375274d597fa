import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { ApiError } from '../../errors/api-error.js';
import { actingApp, principalOf } from '../../http/auth.js';
import { claimIdempotencyKey, sendStoredAnswer } from '../../http/idempotency.js';
import type { IdempotencyContext } from '../../http/idempotency-store.js';
import { errorResponses } from '../../http/openapi.js';
import type { Reply, RouteGroups } from '../../http/routes.js';
import { createValidatorCompiler } from '../../http/validation.js';
import { campaignName, campaignRows, startCampaign } from '../campaigns/campaign-service.js';
import type { CampaignContext } from '../campaigns/campaign-store.js';
import { BulkAnswer, BulkRequestBody } from './bulk-present.js';
import {
  BULK_BODY_LIMIT,
  BulkBody,
  type BulkFormat,
  CSV_HEADER_LINE,
  createRows,
  csvResultLine,
  type DryRunResult,
  MEDIA_TYPES,
  negotiateFormat,
  type RowResult,
  readRows,
} from './bulk-service.js';
import { dryRunRows } from './dry-run.js';

const UNSUPPORTED =
  'Send the rows as application/json (an array), text/csv (with a header row) or application/x-ndjson.';

const BulkQuery = Type.Object({
  campaign: Type.Optional(
    Type.String({
      maxLength: 200,
      description:
        'Makes the request a campaign of this name (1 to 100 characters); its id is in `Latchkey-Campaign`.',
    }),
  ),
  send: Type.Optional(
    Type.Boolean({ description: '`send` for the rows that do not say; a row’s own `send` wins.' }),
  ),
  dry_run: Type.Optional(
    Type.Boolean({
      description:
        'Validate and plan every row as a real run would, create nothing, and say what each would create.',
    }),
  ),
});

/** The header that names the campaign a bulk request made (also `summary.campaign_id` in JSON and NDJSON). */
export const CAMPAIGN_HEADER = 'latchkey-campaign';

/**
 * `POST /v1/magic-links/bulk`. This plugin has its own body parsers (and a larger body limit) so the rest of the
 * API keeps the default JSON parser and limit.
 */
export function bulkRoutes(ctx: CampaignContext & IdempotencyContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.removeAllContentTypeParsers();
      const parsers: Array<[string, BulkFormat]> = [
        ['application/json', 'json'],
        ['text/csv', 'csv'],
        ['application/x-ndjson', 'ndjson'],
        ['application/jsonl', 'ndjson'],
      ];
      for (const [type, format] of parsers) {
        app.addContentTypeParser(
          type,
          { parseAs: 'string', bodyLimit: BULK_BODY_LIMIT },
          (_request, body, done) => {
            done(null, new BulkBody(format, body as string));
          },
        );
      }
      app.addContentTypeParser('*', (_request, _payload, done) => {
        done(new ApiError('unsupported_media_type', UNSUPPORTED), undefined);
      });

      // The body is documented in each format it comes in but read and checked row by row by the service (one bad
      // row must not fail the request), so only the query is held to its schema here.
      const validateQuery = createValidatorCompiler();
      app.post(
        '/v1/magic-links/bulk',
        {
          bodyLimit: BULK_BODY_LIMIT,
          validatorCompiler: (route) => (route.httpPart === 'body' ? () => true : validateQuery(route)),
          schema: {
            operationId: 'createMagicLinksInBulk',
            tags: ['magic links'],
            summary: 'Create up to 100,000 magic links from a JSON array, CSV or NDJSON body',
            description:
              'Each row is what POST /v1/magic-links takes and is validated and created the same way; one bad row never fails the others. The answer has one result per row, in order, as JSON, CSV or streamed NDJSON per the Accept header. With `campaign` the links belong to a new campaign; with `dry_run` nothing is created.',
            querystring: BulkQuery,
            body: BulkRequestBody,
            // A reused Idempotency-Key.
            response: { 200: BulkAnswer, ...errorResponses(409) },
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          if (!(request.body instanceof BulkBody)) throw new ApiError('unsupported_media_type', UNSUPPORTED);
          const { campaign, send, dry_run } = request.query;
          const name = campaign === undefined ? undefined : campaignName(campaign);
          const rows = readRows(request.body);
          const format = negotiateFormat(request.headers.accept);
          reply.code(200).header('vary', 'Accept');

          if (dry_run) {
            // A dry run creates nothing, so there is nothing to replay: it neither claims nor stores an
            // Idempotency-Key, and the real run that follows with the same key runs.
            return answer(reply, format, dryRunRows(ctx, appId, rows, { send }), { counted: 'would_create' });
          }

          // Claimed only once the body reads: a body refused as a whole creates nothing and needs no replay. The
          // answer's format is part of the request, so a replay is always in the format the retry asks for; so are
          // the campaign and `send`, which the key's fingerprint (method, path, body) would not otherwise see.
          // Without them the text is what it was before they existed, so keys stored then still match.
          const options = `${name === undefined ? '' : `campaign=${name}\n`}${send === undefined ? '' : `send=${send}\n`}`;
          const claim = await claimIdempotencyKey(
            ctx,
            request,
            `${options}${request.body.format}\n${format}\n${request.body.text}`,
          );
          if (claim.kind === 'replay') return sendStoredAnswer(reply, claim.answer);
          const store =
            claim.kind === 'claimed'
              ? (type: string, body: string) => claim.complete({ status: 200, type, body })
              : undefined;
          if (name === undefined) {
            return answer(reply, format, createRows(ctx, appId, rows, { send }), {
              counted: 'created',
              store,
            });
          }

          const started = await startCampaign(ctx, appId, {
            name,
            createdBy: principalOf(request).keyId,
            rowsTotal: rows.length,
            send: send === true,
          }).catch(async (error: unknown) => {
            if (claim.kind === 'claimed') await claim.release();
            throw error;
          });
          reply.header(CAMPAIGN_HEADER, started.id);
          const results = campaignRows(ctx, started, rows, { send });
          return answer(reply, format, results, {
            counted: 'created',
            extra: { campaign_id: started.id },
            store,
          });
        },
      );
    },
  };
}

interface AnswerOptions {
  /** What the summary calls the rows that did not fail. */
  counted: 'created' | 'would_create';
  /** More fields of the summary. */
  extra?: Record<string, string>;
  /** Keeps the answer for Idempotency-Key replays, when the request has a key. */
  store?: ((type: string, body: string) => Promise<void>) | undefined;
}

/** Writes the results in the negotiated format, then the summary: `{created | would_create, failed, ...extra}`. */
async function answer(
  reply: Reply,
  format: BulkFormat,
  results: AsyncGenerator<RowResult | DryRunResult>,
  { counted, extra = {}, store }: AnswerOptions,
): Promise<Reply> {
  reply.header('cache-control', 'no-store');
  const summarise = (ok: number, failed: number) => ({ [counted]: ok, failed, ...extra });

  if (format === 'ndjson') {
    const type = `${MEDIA_TYPES.ndjson}; charset=utf-8`;
    async function* lines(): AsyncGenerator<string> {
      let ok = 0;
      let failed = 0;
      // With an Idempotency-Key the lines are kept for replay. A client that hangs up mid-stream stops the work;
      // what was written so far (without the summary line) is what a retry gets, so it learns which rows were
      // created and does not create them twice.
      let written = '';
      try {
        for await (const result of results) {
          if ('error' in result) failed++;
          else ok++;
          const line = `${JSON.stringify(result)}\n`;
          if (store) written += line;
          yield line;
        }
        const summary = `${JSON.stringify({ summary: summarise(ok, failed) })}\n`;
        written += summary;
        yield summary;
      } finally {
        await store?.(type, written).catch((error: unknown) =>
          reply.log.error({ err: error }, 'storing a bulk answer for its Idempotency-Key failed'),
        );
      }
    }
    return reply.type(type).send(Readable.from(lines(), { objectMode: false }));
  }

  // Every row's failure is its own result, so this loop runs to the end.
  const collected: Array<RowResult | DryRunResult> = [];
  let failed = 0;
  for await (const result of results) {
    collected.push(result);
    if ('error' in result) failed++;
  }
  if (format === 'csv') {
    let text = CSV_HEADER_LINE;
    for (const result of collected) text += csvResultLine(result);
    const type = `${MEDIA_TYPES.csv}; charset=utf-8`;
    await store?.(type, text);
    return reply.type(type).send(text);
  }
  const type = `${MEDIA_TYPES.json}; charset=utf-8`;
  const body = JSON.stringify({
    ...(counted === 'would_create' ? { dry_run: true } : {}),
    data: collected,
    summary: summarise(collected.length - failed, failed),
  });
  await store?.(type, body);
  return reply.type(type).send(body);
}
