import type { DashboardApi } from '../api.js';
import type { Campaign } from './campaign-types.js';

/**
 * The campaign's links as the API's CSV (GET /v1/campaigns/{id}/links.csv through /dashboard/api), saved as a file.
 * Fetched rather than linked to: the app it belongs to goes in the `Latchkey-App` header, which a plain link
 * cannot send.
 */
export async function downloadCampaignCsv(
  api: DashboardApi,
  appId: string,
  campaign: Campaign,
): Promise<void> {
  const response = await api.v1Response('GET', `/campaigns/${encodeURIComponent(campaign.id)}/links.csv`, {
    app: appId,
    accept: 'text/csv',
  });
  const url = URL.createObjectURL(await response.blob());
  try {
    const link = document.createElement('a');
    link.href = url;
    link.download = `${fileName(campaign.name)}-${campaign.id}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
  } finally {
    // The download has its own copy once it started; the next tick is late enough.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

/** The name as a file name: letters, digits and dashes. */
function fileName(name: string): string {
  return (
    name
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60) || 'campaign'
  );
}
