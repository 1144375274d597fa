import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { actingApp } from '../../http/auth.js';
import { listResponse } from '../../http/present.js';
import type { RouteGroups } from '../../http/routes.js';
import { Id, Page, PageQuery } from '../../http/schemas.js';
import { EXPORT_COLUMNS } from './campaign-export.js';
import {
  Campaign,
  CampaignWithFigures,
  presentCampaign,
  presentCampaignWithFigures,
} from './campaign-present.js';
import { exportCampaign, getCampaignWithFigures, listCampaigns, revokeCampaign } from './campaign-service.js';
import type { CampaignContext } from './campaign-store.js';

const CampaignParams = Type.Object({ campaign_id: Id('cmp') });

/** Campaigns are made by `POST /v1/magic-links/bulk?campaign=…` (bulk-routes.ts); these read and revoke them. */
export function campaignRoutes(ctx: CampaignContext): RouteGroups {
  return {
    apiKey: async (app) => {
      app.get(
        '/v1/campaigns',
        {
          schema: {
            operationId: 'listCampaigns',
            tags: ['campaigns'],
            summary: 'List campaigns, newest first',
            response: { 200: Page(Campaign, 'A page of campaigns, newest first') },
            querystring: Type.Intersect([
              PageQuery,
              Type.Object({
                status: Type.Optional(
                  Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('revoked')]),
                ),
              }),
            ]),
          },
        },
        async (request) => {
          const { limit = 50, cursor, status } = request.query;
          const rows = await listCampaigns(ctx, actingApp(request), { status }, { limit, cursor });
          return listResponse(rows, limit, presentCampaign);
        },
      );

      app.get(
        '/v1/campaigns/:campaign_id',
        {
          schema: {
            operationId: 'getCampaign',
            tags: ['campaigns'],
            summary: "A campaign with its links' funnel, rates and per-day series",
            params: CampaignParams,
            response: { 200: CampaignWithFigures },
          },
        },
        async (request) => {
          const { campaign, figures, now } = await getCampaignWithFigures(
            ctx,
            actingApp(request),
            request.params.campaign_id,
          );
          return presentCampaignWithFigures(campaign, figures, now);
        },
      );

      app.get(
        '/v1/campaigns/:campaign_id/links.csv',
        {
          schema: {
            operationId: 'exportCampaignLinks',
            tags: ['campaigns'],
            summary: "The campaign's links as CSV: status and times, never a token",
            params: CampaignParams,
            response: {
              200: {
                description: `One line per link, oldest first, under the header ${EXPORT_COLUMNS.join(',')}; a download named {campaign_id}.csv`,
                content: {
                  'text/csv': {
                    // Text to the client, sent as a stream of it (the typed reply takes either).
                    schema: Type.Unsafe<string | Readable>({
                      type: 'string',
                      examples: [
                        `${EXPORT_COLUMNS.join(',')}\r\nml_01jeq9v3kx7m2c8r4t6w0yzb5n,usr_01jeq9v3kw5p7r9t1v3x5z7b9d,ada@example.com,login,redeemed,2026-12-06T10:00:00.000Z,2026-12-06T10:00:01.000Z,2026-12-06T10:00:02.000Z,2026-12-06T10:01:30.000Z,2026-12-06T10:02:10.000Z,,2026-12-09T10:00:00.000Z\r\n`,
                      ],
                    }),
                  },
                },
              },
            },
          },
        },
        async (request, reply) => {
          const { campaign, lines } = await exportCampaign(
            ctx,
            actingApp(request),
            request.params.campaign_id,
          );
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${campaign.id}.csv"`)
            .header('cache-control', 'no-store')
            .send(Readable.from(lines, { objectMode: false }));
        },
      );

      app.post(
        '/v1/campaigns/:campaign_id/revoke',
        {
          schema: {
            operationId: 'revokeCampaign',
            tags: ['campaigns'],
            summary: 'Revoke a campaign and every outstanding link it made; again, it changes nothing',
            params: CampaignParams,
            response: {
              200: Type.Object(
                {
                  campaign: Campaign,
                  revoked: Type.Integer({
                    minimum: 0,
                    description: 'Links this call revoked (0 when the campaign was revoked before).',
                  }),
                },
                { description: 'The campaign, revoked, and how many of its links this call revoked' },
              ),
            },
          },
        },
        async (request) => {
          const { campaign, revoked } = await revokeCampaign(
            ctx,
            actingApp(request),
            request.params.campaign_id,
          );
          return { campaign: presentCampaign(campaign), revoked };
        },
      );
    },
  };
}
