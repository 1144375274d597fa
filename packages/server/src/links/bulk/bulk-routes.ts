import { Readable } from 'node:stream';
import { ApiError } from '../../errors/api-error.js';
import { actingApp } from '../../http/auth.js';
import { claimIdempotencyKey, sendStoredAnswer } from '../../http/idempotency.js';
import type { IdempotencyContext } from '../../http/idempotency-store.js';
import type { RouteGroups } from '../../http/routes.js';
import type { LinkContext } from '../link-store.js';
import {
  BULK_BODY_LIMIT,
  BulkBody,
  type BulkFormat,
  CSV_HEADER_LINE,
  createRows,
  csvResultLine,
  MEDIA_TYPES,
  negotiateFormat,
  type RowResult,
  readRows,
  summarise,
} from './bulk-service.js';

const UNSUPPORTED =
  'Send the rows as application/json (an array), text/csv (with a header row) or application/x-ndjson.';

/**
 * `POST /v1/magic-links/bulk`. This plugin has its own body parsers (and a larger body limit) so the rest of the
 * API keeps the default JSON parser and limit.
 */
export function bulkRoutes(ctx: LinkContext & IdempotencyContext): RouteGroups {
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

      app.post(
        '/v1/magic-links/bulk',
        {
          bodyLimit: BULK_BODY_LIMIT,
          schema: {
            tags: ['magic links'],
            summary: 'Create up to 100,000 magic links from a JSON array, CSV or NDJSON body',
            description:
              'Each row is what POST /v1/magic-links takes and is validated and created the same way; one bad row never fails the others. The answer has one result per row, in order, as JSON, CSV or streamed NDJSON per the Accept header.',
          },
        },
        async (request, reply) => {
          const appId = actingApp(request);
          if (!(request.body instanceof BulkBody)) throw new ApiError('unsupported_media_type', UNSUPPORTED);
          const rows = readRows(request.body);
          const format = negotiateFormat(request.headers.accept);
          // Claimed only once the body reads: a body refused as a whole creates nothing and needs no replay. The
          // answer's format is part of the request, so a replay is always in the format the retry asks for.
          const claim = await claimIdempotencyKey(
            ctx,
            request,
            `${request.body.format}\n${format}\n${request.body.text}`,
          );
          if (claim.kind === 'replay') return sendStoredAnswer(reply.header('vary', 'Accept'), claim.answer);
          const store = async (type: string, body: string) => {
            if (claim.kind === 'claimed') await claim.complete({ status: 200, type, body });
          };
          reply.code(200).header('vary', 'Accept');
          const results = createRows(ctx, appId, rows);

          if (format === 'ndjson') {
            const type = `${MEDIA_TYPES.ndjson}; charset=utf-8`;
            async function* lines(): AsyncGenerator<string> {
              let created = 0;
              let failed = 0;
              // With an Idempotency-Key the lines are kept for replay. A client that hangs up mid-stream stops the
              // work; what was written so far (without the summary line) is what a retry gets, so it learns which
              // rows were created and does not create them twice.
              let written = '';
              try {
                for await (const result of results) {
                  if ('magic_link' in result) created++;
                  else failed++;
                  const line = `${JSON.stringify(result)}\n`;
                  if (claim.kind === 'claimed') written += line;
                  yield line;
                }
                const summary = `${JSON.stringify({ summary: { created, failed } })}\n`;
                written += summary;
                yield summary;
              } finally {
                await store(type, written).catch((error: unknown) =>
                  ctx.logger.error({ err: error }, 'storing a bulk answer for its Idempotency-Key failed'),
                );
              }
            }
            return reply
              .type(type)
              .header('cache-control', 'no-store')
              .send(Readable.from(lines(), { objectMode: false }));
          }

          // Every row's failure is its own result, so this loop runs to the end.
          const collected: RowResult[] = [];
          for await (const result of results) collected.push(result);
          reply.header('cache-control', 'no-store');
          if (format === 'csv') {
            let text = CSV_HEADER_LINE;
            for (const result of collected) text += csvResultLine(result);
            const type = `${MEDIA_TYPES.csv}; charset=utf-8`;
            await store(type, text);
            return reply.type(type).send(text);
          }
          const type = `${MEDIA_TYPES.json}; charset=utf-8`;
          const body = JSON.stringify({ data: collected, summary: summarise(collected) });
          await store(type, body);
          return reply.type(type).send(body);
        },
      );
    },
  };
}
