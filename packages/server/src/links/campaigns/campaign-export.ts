/**
 * A campaign's results as CSV: one line per link it made, by id (creation time), with its status and times.
 * Never the token (it is not stored) or the link's URL. Read from the database page by page, so an export of
 * 100,000 links streams without holding them all.
 */
import { iso, isoOrNull } from '../../http/present.js';
import type { CampaignRow, MagicLinkRow } from '../../storage/rows.js';
import { csvRecord, neutraliseFormula } from '../bulk/csv.js';
import { effectiveStatus } from '../link-present.js';
import type { CampaignContext } from './campaign-store.js';

export const EXPORT_COLUMNS = [
  'id',
  'user_id',
  'identifier',
  'type',
  'status',
  'created_at',
  'sent_at',
  'delivered_at',
  'opened_at',
  'redeemed_at',
  'revoked_at',
  'expires_at',
] as const;

/** Links read per query. */
const EXPORT_PAGE = 1000;

function exportLine(link: MagicLinkRow, now: number): string {
  const cells = [
    link.id,
    link.user_id,
    link.identifier,
    link.type,
    effectiveStatus(link, now),
    iso(link.created_at),
    isoOrNull(link.sent_at) ?? '',
    isoOrNull(link.delivered_at) ?? '',
    isoOrNull(link.opened_at) ?? '',
    isoOrNull(link.redeemed_at) ?? '',
    isoOrNull(link.revoked_at) ?? '',
    iso(link.expires_at),
  ];
  // Identifiers come from whoever filled the rows in: a cell a spreadsheet would run as a formula opens as text.
  return csvRecord(cells.map(neutraliseFormula));
}

/** The export, header first, a page of lines at a time. */
export async function* campaignExport(ctx: CampaignContext, campaign: CampaignRow): AsyncGenerator<string> {
  const now = ctx.clock();
  yield csvRecord([...EXPORT_COLUMNS]);
  let after: string | undefined;
  for (;;) {
    const links = await ctx.store.campaignLinks(campaign.app_id, campaign.id, after, EXPORT_PAGE);
    if (links.length > 0) yield links.map((link) => exportLine(link, now)).join('');
    if (links.length < EXPORT_PAGE) return;
    after = links.at(-1)!.id;
  }
}
