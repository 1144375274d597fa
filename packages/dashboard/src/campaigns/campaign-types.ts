/** What the campaign routes answer (docs/api.md "Bulk creation", "Dry run", "Campaigns"). */
import type { ErrorBody, Funnel } from '../api.js';

export type CampaignStatus = 'running' | 'done' | 'revoked';

export interface Campaign {
  id: string;
  app_id: string;
  name: string;
  status: CampaignStatus;
  send: boolean;
  created_by: string;
  rows_total: number;
  rows_created: number;
  rows_failed: number;
  created_at: string;
  finished_at: string | null;
  revoked_at: string | null;
}

export interface CampaignDetail extends Campaign {
  funnel: Funnel;
  conversion: {
    created_to_sent: number | null;
    created_to_opened: number | null;
    created_to_redeemed: number | null;
    sent_to_redeemed: number | null;
  };
  series: Array<{ date: string; created: number; sent: number; opened: number; redeemed: number }>;
}

/** One row's answer in a dry run or a real run: what it would create or created, or its error. */
export interface BulkRowResult {
  row: number;
  error?: ErrorBody;
  would_create?: { identifier: string; new_user: boolean; send: boolean };
  magic_link?: { id: string; identifier: string };
}

export interface DryRunAnswer {
  dry_run: true;
  data: BulkRowResult[];
  summary: { would_create: number; failed: number };
}

export interface BulkSummary {
  created: number;
  failed: number;
  campaign_id?: string;
}

export function campaignTone(status: CampaignStatus) {
  return status === 'done' ? 'good' : status === 'revoked' ? 'bad' : 'waiting';
}
