import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Context } from '../../context.js';
import { ApiError } from '../../http/api-error.js';
import { resolveApp } from '../../http/auth.js';
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
export function bulkRoutes(ctx: Context): FastifyPluginAsyncTypebox {
  return async (app) => {
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
        const appId = await resolveApp(ctx, request);
        if (!(request.body instanceof BulkBody)) throw new ApiError('unsupported_media_type', UNSUPPORTED);
        const rows = readRows(request.body);
        const format = negotiateFormat(request.headers.accept);
        reply.code(200).header('vary', 'Accept');
        const results = createRows(ctx, appId, rows);

        if (format === 'ndjson') {
          async function* lines(): AsyncGenerator<string> {
            let created = 0;
            let failed = 0;
            for await (const result of results) {
              if ('magic_link' in result) created++;
              else failed++;
              yield `${JSON.stringify(result)}\n`;
            }
            yield `${JSON.stringify({ summary: { created, failed } })}\n`;
          }
          return reply
            .type(`${MEDIA_TYPES.ndjson}; charset=utf-8`)
            .header('cache-control', 'no-store')
            .send(Readable.from(lines(), { objectMode: false }));
        }

        const collected: RowResult[] = [];
        for await (const result of results) collected.push(result);
        reply.header('cache-control', 'no-store');
        if (format === 'csv') {
          let text = CSV_HEADER_LINE;
          for (const result of collected) text += csvResultLine(result);
          return reply.type(`${MEDIA_TYPES.csv}; charset=utf-8`).send(text);
        }
        return reply
          .type(`${MEDIA_TYPES.json}; charset=utf-8`)
          .send({ data: collected, summary: summarise(collected) });
      },
    );
  };
}
