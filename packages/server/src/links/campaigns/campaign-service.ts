/**
 * Campaigns: a bulk request with a name. The campaign row is written before the first link, every link the request
 * makes carries its id, the row's counts follow the batches as they commit, and the row is marked done when the
 * request ends. Revoking a campaign revokes its outstanding links, batch by batch, and stops a run still going.
 */
import { newId } from '../../crypto/tokens.js';
import { ApiError, validationError } from '../../errors/api-error.js';
import { makeEvent } from '../../events/event-factory.js';
import type { CampaignRow, Page } from '../../storage/rows.js';
import type { CampaignStatus } from '../../storage/schema.js';
import {
  type BulkOptions,
  createRows,
  type InputRow,
  type RowError,
  type RowResult,
} from '../bulk/bulk-service.js';
import { campaignExport } from './campaign-export.js';
import type { CampaignContext, CampaignFigures } from './campaign-store.js';

export const MAX_CAMPAIGN_NAME = 100;

/**
 * Links revoked per transaction. Each revocation writes an event, and each event a message per subscribed webhook
 * endpoint: 100 keeps even an app with dozens of endpoints well inside SQLite's limit of bound parameters.
 */
export const REVOKE_BATCH = 100;

/** What the rows still to come get when their campaign is revoked while the request runs. */
const REVOKED_MEANWHILE: RowError = {
  code: 'conflict',
  message:
    'The campaign was revoked while its links were being created, so this row was not created. Start a new campaign for the rows you still want.',
};

/** A campaign's name as stored: trimmed, 1 to 100 characters, no control characters. */
export function campaignName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_CAMPAIGN_NAME || /\p{Cc}/u.test(trimmed)) {
    throw validationError(
      'campaign',
      `campaign must be a name of 1 to ${MAX_CAMPAIGN_NAME} characters without line breaks or control characters, such as "Spring invites".`,
    );
  }
  return trimmed;
}

export interface NewCampaign {
  name: string;
  /** The API key or operator starting it. */
  createdBy: string;
  rowsTotal: number;
  send: boolean;
}

/** Writes the campaign row, `running`, before any of its links. */
export async function startCampaign(
  ctx: CampaignContext,
  appId: string,
  campaign: NewCampaign,
): Promise<CampaignRow> {
  const now = ctx.clock();
  const row: CampaignRow = {
    id: newId('cmp', now, ctx.random),
    app_id: appId,
    name: campaignName(campaign.name),
    created_at: now,
    created_by: campaign.createdBy,
    rows_total: campaign.rowsTotal,
    rows_created: 0,
    rows_failed: 0,
    send: campaign.send ? 1 : 0,
    status: 'running',
    finished_at: null,
    revoked_at: null,
  };
  await ctx.store.createCampaign(row);
  return row;
}

/**
 * `createRows` for a campaign: its links carry the campaign's id, its counts are written after every batch, and the
 * campaign is finished when the rows are (or the client hangs up, or something fails). If the campaign is revoked
 * meanwhile, the batch just written is revoked too and the rows after it are not created.
 */
export async function* campaignRows(
  ctx: CampaignContext,
  campaign: CampaignRow,
  rows: InputRow[],
  options: Pick<BulkOptions, 'send'> = {},
): AsyncGenerator<RowResult> {
  let created = 0;
  let failed = 0;
  let revoked = false;
  const afterBatch = async (results: readonly RowResult[]): Promise<RowError | undefined> => {
    for (const result of results) {
      if ('magic_link' in result) created++;
      else failed++;
    }
    if (revoked) return REVOKED_MEANWHILE;
    const status = await ctx.store.recordCampaignProgress(campaign.id, created, failed);
    if (status !== 'revoked') return undefined;
    // The revocation may have swept the campaign's links before this batch committed.
    revoked = true;
    await revokeOutstanding(ctx, campaign.app_id, campaign.id, ctx.clock());
    return REVOKED_MEANWHILE;
  };
  try {
    yield* createRows(ctx, campaign.app_id, rows, { ...options, campaignId: campaign.id, afterBatch });
  } finally {
    await ctx.store.finishCampaign(campaign.id, created, failed, ctx.clock()).catch((error: unknown) => {
      ctx.logger.error(
        { err: error, campaign_id: campaign.id },
        'a finished campaign could not be marked done',
      );
    });
  }
}

export async function getCampaignOrThrow(
  ctx: CampaignContext,
  appId: string,
  campaignId: string,
): Promise<CampaignRow> {
  const campaign = await ctx.store.getCampaign(appId, campaignId);
  if (!campaign) throw new ApiError('not_found', `No campaign ${campaignId} in this app.`);
  return campaign;
}

/** A campaign with the figures of its links. */
export async function getCampaignWithFigures(
  ctx: CampaignContext,
  appId: string,
  campaignId: string,
): Promise<{ campaign: CampaignRow; figures: CampaignFigures; now: number }> {
  const campaign = await getCampaignOrThrow(ctx, appId, campaignId);
  const now = ctx.clock();
  return { campaign, figures: await ctx.store.campaignFigures(appId, campaignId, now), now };
}

/** The CSV export of a campaign's links (campaign-export.ts); an unknown campaign fails before any line. */
export async function exportCampaign(
  ctx: CampaignContext,
  appId: string,
  campaignId: string,
): Promise<{ campaign: CampaignRow; lines: AsyncGenerator<string> }> {
  const campaign = await getCampaignOrThrow(ctx, appId, campaignId);
  return { campaign, lines: campaignExport(ctx, campaign) };
}

export function listCampaigns(
  ctx: CampaignContext,
  appId: string,
  filter: { status?: CampaignStatus | undefined },
  page: Page,
): Promise<CampaignRow[]> {
  return ctx.store.listCampaigns(appId, filter, page);
}

/**
 * Revokes the campaign: marks it revoked, then revokes its outstanding links one batch per transaction, each with a
 * `magic_link.revoked` event. Redeemed and expired links stay as they are. Revoking again changes nothing and
 * answers `revoked: 0`; a run still creating the campaign's links stops at its next batch.
 */
export async function revokeCampaign(
  ctx: CampaignContext,
  appId: string,
  campaignId: string,
): Promise<{ campaign: CampaignRow; revoked: number }> {
  const now = ctx.clock();
  // Marked first: a run that commits a batch after this sees the mark when it records the batch, and revokes it.
  const campaign = await ctx.store.markCampaignRevoked(appId, campaignId, now);
  if (!campaign) throw new ApiError('not_found', `No campaign ${campaignId} in this app.`);
  return { campaign, revoked: await revokeOutstanding(ctx, appId, campaignId, now) };
}

async function revokeOutstanding(
  ctx: CampaignContext,
  appId: string,
  campaignId: string,
  now: number,
): Promise<number> {
  let total = 0;
  for (;;) {
    const revoked = await ctx.store.revokeCampaignLinks(appId, campaignId, now, REVOKE_BATCH, (link) =>
      makeEvent(
        ctx,
        appId,
        'magic_link.revoked',
        link.id,
        { magic_link_id: link.id, user_id: link.user_id, reason: 'campaign', campaign_id: campaignId },
        now,
      ),
    );
    total += revoked;
    if (revoked < REVOKE_BATCH) return total;
  }
}
