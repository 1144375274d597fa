import { formatCount } from '../format.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { useAppQuery } from '../ui/app-query.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { StatusBadge, type Tone } from '../ui/status-badge.js';

interface CampaignLink {
  id: string;
  identifier: string;
  type: string;
  status: string;
  created_at: string;
  expires_at: string;
}

const TONES: Record<string, Tone> = { redeemed: 'good', revoked: 'bad', expired: 'bad', pending: 'waiting' };

/** The links the campaign made, through the links API (`campaign_id`), a page at a time. */
export function CampaignLinks({ campaignId }: { campaignId: string }) {
  const { cursor, page, next, previous } = useCursor();
  const links = useAppQuery(['campaigns', 'detail', campaignId, 'links', cursor], (api, app) =>
    api.v1<Page<CampaignLink>>('GET', '/magic-links', {
      app,
      query: { campaign_id: campaignId, limit: 25, cursor },
    }),
  );
  return (
    <section aria-labelledby="campaign-links-title">
      <h2 id="campaign-links-title">Its links</h2>
      <FormError message={links.error?.message} />
      {links.data &&
        (links.data.data.length === 0 && page === 1 ? (
          <p className="empty-state">This campaign made no link: every row failed.</p>
        ) : (
          <>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">For</th>
                    <th scope="col">Status</th>
                    <th scope="col">Created</th>
                    <th scope="col" className="cell-wide-only">
                      Expires
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {links.data.data.map((link) => (
                    <tr key={link.id}>
                      <th scope="row" className="cell-identifier">
                        {link.identifier}
                      </th>
                      <td>
                        <StatusBadge status={link.status} tone={TONES[link.status] ?? 'plain'} />
                      </td>
                      <td>
                        <LocalTime value={link.created_at} />
                      </td>
                      <td className="cell-wide-only">
                        <LocalTime value={link.expires_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              label="Campaign links"
              page={page}
              nextCursor={links.data.next_cursor}
              onNext={next}
              onPrevious={previous}
            />
            <p className="muted">
              {formatCount(links.data.data.length)} shown on this page; the CSV has every link.
            </p>
          </>
        ))}
    </section>
  );
}
