import { Link } from 'wouter';
import { formatCount } from '../format.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { useAppQuery } from '../ui/app-query.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { StatusBadge } from '../ui/status-badge.js';
import { type Campaign, campaignTone } from './campaign-types.js';

const PAGE_SIZE = 20;

/** Every campaign of the app, newest first, a page at a time. */
export function CampaignList() {
  // Viewers read; making links takes the operator role (the server says so too, but no button should lead there).
  const mayRun = useSignedIn().operator.role !== 'viewer';
  const { cursor, page, next, previous } = useCursor();
  const campaigns = useAppQuery(['campaigns', 'list', cursor], (api, app) =>
    api.v1<Page<Campaign>>('GET', '/campaigns', { app, query: { limit: PAGE_SIZE, cursor } }),
  );
  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenTitle>Campaigns</ScreenTitle>
      <div className="toolbar">
        <p className="muted">Links in bulk from a CSV file, checked row by row before anything is made.</p>
        {mayRun && (
          <Link href="/new" className="button primary">
            New campaign
          </Link>
        )}
      </div>
      {campaigns.isPending && <p role="status">Loading…</p>}
      <FormError message={campaigns.error?.message} />
      {campaigns.data &&
        (campaigns.data.data.length === 0 && page === 1 ? (
          <div className="empty-state">
            <p>
              <strong>No campaigns yet.</strong>
            </p>
            <p>
              Start one with <Link href="/new">New campaign</Link>: upload a CSV file or paste its rows, say
              which column holds the email address or phone number, check every row with a dry run, then
              create the links (and send them, if you like). Your backend can do the same with{' '}
              <code>POST /v1/magic-links/bulk?campaign=…</code>.
            </p>
          </div>
        ) : (
          <>
            <div className="table-wrap">
              <table>
                <caption className="visually-hidden">Campaigns, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="number">
                      Links
                    </th>
                    <th scope="col" className="number cell-wide-only">
                      Failed rows
                    </th>
                    <th scope="col">Started</th>
                  </tr>
                </thead>
                <tbody>
                  {campaigns.data.data.map((campaign) => (
                    <tr key={campaign.id}>
                      <th scope="row">
                        <Link href={`/${campaign.id}`}>{campaign.name}</Link>
                        {campaign.send && <span className="muted"> · sent</span>}
                      </th>
                      <td>
                        <StatusBadge status={campaign.status} tone={campaignTone(campaign.status)} />
                      </td>
                      <td className="number nowrap">
                        {formatCount(campaign.rows_created)} of {formatCount(campaign.rows_total)}
                      </td>
                      <td className="number cell-wide-only">{formatCount(campaign.rows_failed)}</td>
                      <td>
                        <LocalTime value={campaign.created_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              label="Campaigns"
              page={page}
              nextCursor={campaigns.data.next_cursor}
              onNext={next}
              onPrevious={previous}
            />
          </>
        ))}
    </section>
  );
}
