import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { actingApp } from '../../http/auth.js';
import { listResponse } from '../../http/present.js';
import type { RouteGroups } from '../../http/routes.js';
import { Id, PageQuery } from '../../http/schemas.js';
import { presentCampaign, presentCampaignWithFigures } from './campaign-present.js';
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
            tags: ['campaigns'],
            summary: 'List campaigns, newest first',
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
            tags: ['campaigns'],
            summary: "A campaign with its links' funnel, rates and per-day series",
            params: CampaignParams,
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
            tags: ['campaigns'],
            summary: "The campaign's links as CSV: status and times, never a token",
            params: CampaignParams,
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
            tags: ['campaigns'],
            summary: 'Revoke a campaign and every outstanding link it made; again, it changes nothing',
            params: CampaignParams,
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
