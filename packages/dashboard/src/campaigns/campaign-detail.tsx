import { useQueryClient } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'wouter';
import { useApi } from '../api-context.js';
import { formatCount, formatShare } from '../format.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { FunnelChart } from '../overview/funnel-chart.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { appKey, useAppId, useAppQuery } from '../ui/app-query.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { StatusBadge } from '../ui/status-badge.js';
import { CampaignLinks } from './campaign-links.js';
import { type CampaignDetail, campaignTone } from './campaign-types.js';
import { downloadCampaignCsv } from './csv-download.js';

// The chart library loads after the numbers, as on the Overview.
const TimeSeries = lazy(() => import('../charts/time-series.js'));

/** One campaign: what it made, how far its links got, its links, their CSV, and revoking them all. */
export function CampaignDetailView({ id }: { id: string }) {
  const campaign = useAppQuery(
    ['campaigns', 'detail', id],
    (api, app) => api.v1<CampaignDetail>('GET', `/campaigns/${encodeURIComponent(id)}`, { app }),
    // A running campaign's counts follow its batches; read them again until it ends.
    { refetchInterval: (query) => (query.state.data?.status === 'running' ? 2000 : false) },
  );
  return (
    <section className="screen" aria-labelledby="screen-title">
      {campaign.data ? (
        <CampaignBody campaign={campaign.data} />
      ) : (
        <>
          <ScreenTitle>Campaign</ScreenTitle>
          <p>
            <Link href="/">All campaigns</Link>
          </p>
          {campaign.isPending && <p role="status">Loading…</p>}
          <FormError message={campaign.error?.message} />
        </>
      )}
    </section>
  );
}

function CampaignBody({ campaign }: { campaign: CampaignDetail }) {
  const { operator } = useSignedIn();
  const [revoked, setRevoked] = useState<number>();
  const { conversion } = campaign;
  const cards = [
    {
      label: 'Links created',
      value: formatCount(campaign.rows_created),
      detail: `of ${formatCount(campaign.rows_total)} rows`,
    },
    { label: 'Rows failed', value: formatCount(campaign.rows_failed), detail: 'not created' },
    { label: 'Sent', value: formatShare(conversion.created_to_sent), detail: 'of links created' },
    { label: 'Opened', value: formatShare(conversion.created_to_opened), detail: 'of links created' },
    { label: 'Redeemed', value: formatShare(conversion.created_to_redeemed), detail: 'of links created' },
    {
      label: 'Conversion',
      value: formatShare(conversion.sent_to_redeemed),
      detail: 'of links sent were redeemed',
    },
  ];
  return (
    <>
      <ScreenTitle>{campaign.name}</ScreenTitle>
      <p>
        <Link href="/">All campaigns</Link>
      </p>
      <dl className="campaign-facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={campaign.status} tone={campaignTone(campaign.status)} />
          </dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>
            <LocalTime value={campaign.created_at} />
          </dd>
        </div>
        <div>
          <dt>Finished</dt>
          <dd>{campaign.finished_at ? <LocalTime value={campaign.finished_at} /> : '—'}</dd>
        </div>
        {campaign.revoked_at && (
          <div>
            <dt>Revoked</dt>
            <dd>
              <LocalTime value={campaign.revoked_at} />
            </dd>
          </div>
        )}
        <div>
          <dt>Messages</dt>
          <dd>{campaign.send ? 'sent by Latchkey' : 'not sent by Latchkey'}</dd>
        </div>
        <div>
          <dt>Started by</dt>
          <dd>
            {/* An API key's id or an operator's; the API gives no more, so only "you" gets a name. */}
            {campaign.created_by === operator.id ? 'you' : <code>{campaign.created_by}</code>}
          </dd>
        </div>
      </dl>
      {campaign.status === 'running' && (
        <p role="status">
          Running: {formatCount(campaign.rows_created + campaign.rows_failed)} of{' '}
          {formatCount(campaign.rows_total)} rows so far.
        </p>
      )}
      <ul className="cards" aria-label="Totals">
        {cards.map((card) => (
          <li key={card.label} className="card">
            <span className="card-label">{card.label}</span>
            <span className="card-value">{card.value}</span>
            <span className="card-detail">{card.detail}</span>
          </li>
        ))}
      </ul>
      <FunnelChart funnel={campaign.funnel} />
      <CampaignSeries campaign={campaign} />
      <div className="toolbar campaign-actions">
        <DownloadButton campaign={campaign} />
        {operator.role !== 'viewer' && <RevokeButton campaign={campaign} onRevoked={setRevoked} />}
      </div>
      {revoked !== undefined && (
        <p role="status">
          {revoked === 0
            ? 'No link was outstanding: nothing more to revoke.'
            : `${formatCount(revoked)} outstanding links revoked.`}
        </p>
      )}
      <CampaignLinks campaignId={campaign.id} />
    </>
  );
}

function CampaignSeries({ campaign }: { campaign: CampaignDetail }) {
  const series = useMemo(() => withDayBefore(campaign.series), [campaign.series]);
  const days = useMemo(() => series.map((day) => day.date), [series]);
  const lines = useMemo(
    () => [
      { label: 'Created', values: series.map((day) => day.created) },
      { label: 'Sent', values: series.map((day) => day.sent) },
      { label: 'Opened', values: series.map((day) => day.opened) },
      { label: 'Redeemed', values: series.map((day) => day.redeemed) },
    ],
    [series],
  );
  return (
    <Suspense fallback={<p role="status">Loading the chart…</p>}>
      <TimeSeries title="Each step on the day it happened (UTC)" days={days} lines={lines} />
    </Suspense>
  );
}

/**
 * A campaign of today has a series of one day, which a line chart cannot scale (its axis spans years). The day
 * before, when nothing of it had happened yet, is true and gives the chart a span.
 */
function withDayBefore(series: CampaignDetail['series']): CampaignDetail['series'] {
  const first = series[0];
  if (!first || series.length > 1) return series;
  const before = new Date(Date.parse(`${first.date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return [{ date: before, created: 0, sent: 0, opened: 0, redeemed: 0 }, first];
}

function DownloadButton({ campaign }: { campaign: CampaignDetail }) {
  const api = useApi();
  const appId = useAppId();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  return (
    <div>
      <button
        type="button"
        disabled={state.busy}
        onClick={async () => {
          setState({ busy: true });
          try {
            await downloadCampaignCsv(api, appId, campaign);
            setState({ busy: false });
          } catch (error) {
            setState({ busy: false, error: error instanceof Error ? error.message : String(error) });
          }
        }}
      >
        {state.busy ? 'Preparing the file…' : 'Download the links (CSV)'}
      </button>
      <FormError message={state.error} />
    </div>
  );
}

function RevokeButton({
  campaign,
  onRevoked,
}: {
  campaign: CampaignDetail;
  onRevoked: (count: number) => void;
}) {
  const api = useApi();
  const appId = useAppId();
  const client = useQueryClient();
  return (
    <ConfirmButton
      label="Revoke the campaign"
      title={`Revoke “${campaign.name}”?`}
      disabled={campaign.status === 'revoked'}
      onConfirm={async () => {
        const answer = await api.v1<{ revoked: number }>(
          'POST',
          `/campaigns/${encodeURIComponent(campaign.id)}/revoke`,
          { app: appId },
        );
        onRevoked(answer.revoked);
        await client.invalidateQueries({ queryKey: appKey(appId, 'campaigns') });
      }}
    >
      <p>
        Every link of this campaign that is not yet used, revoked or expired stops working now, and nobody can
        sign in with it. Links already redeemed, and the sessions they opened, stay. A campaign still running
        stops.
      </p>
      <p>This cannot be undone.</p>
    </ConfirmButton>
  );
}
