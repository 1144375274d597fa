import { lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { Stats } from '../api.js';
import { everyDay, valuesByDay } from '../charts/days.js';
import { useCurrentApp } from '../current-app.js';
import { localTimeZone } from '../format.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { FunnelChart } from './funnel-chart.js';
import { HealthPanel } from './health-panel.js';
import { PeriodPicker } from './period-picker.js';
import { PERIODS, type PeriodId, periodStart } from './periods.js';
import { StatCards } from './stat-cards.js';
import { useStats } from './stats-hooks.js';

// The chart library is loaded after the numbers show, keeping it out of the first screen's JavaScript.
const TimeSeries = lazy(() => import('../charts/time-series.js'));

export function OverviewScreen() {
  const { app } = useCurrentApp();
  return (
    <section className="screen" aria-labelledby="screen-title">
      <ScreenTitle>Overview</ScreenTitle>
      {app ? (
        <AppOverview appId={app.id} />
      ) : (
        <p className="empty-state">
          You have no app yet. An owner of this Latchkey can give you access to one.
        </p>
      )}
    </section>
  );
}

function AppOverview({ appId }: { appId: string }) {
  const [periodId, setPeriodId] = useState<PeriodId>('7d');
  const period = PERIODS.find((p) => p.id === periodId) ?? PERIODS[0]!;
  // The start is fixed per period choice, so the query key does not change with every render's clock.
  const from = useMemo(() => periodStart(period, new Date()), [period]);
  const stats = useStats(appId, from);

  return (
    <>
      <HealthPanel appId={appId} />
      <div className="toolbar">
        <PeriodPicker value={periodId} onChange={setPeriodId} />
        <p className="muted">
          Links created since <LocalTime value={from} /> ({localTimeZone()}).
        </p>
      </div>
      {stats.isPending && <p role="status">Loading…</p>}
      <FormError message={stats.error?.message} />
      {stats.data &&
        (stats.data.funnel.created === 0 ? (
          <NoLinks longest={period.id === PERIODS[PERIODS.length - 1]!.id} />
        ) : (
          <div aria-busy={stats.isFetching}>
            <StatCards stats={stats.data} />
            <FunnelChart funnel={stats.data.funnel} />
            <CreatedAndRedeemed stats={stats.data} />
          </div>
        ))}
    </>
  );
}

function CreatedAndRedeemed({ stats }: { stats: Stats }) {
  // Stable across renders with the same data, so the chart is not drawn again for nothing.
  const days = useMemo(() => everyDay(stats.from, stats.to), [stats.from, stats.to]);
  const lines = useMemo(
    () => [
      { label: 'Created', values: valuesByDay(days, stats.series, (day) => day.created) },
      { label: 'Redeemed', values: valuesByDay(days, stats.series, (day) => day.redeemed) },
    ],
    [days, stats.series],
  );
  return (
    <Suspense fallback={<p role="status">Loading the chart…</p>}>
      <TimeSeries title="Links created and redeemed per day (UTC)" days={days} lines={lines} />
    </Suspense>
  );
}

/** No link in the period: on the longest one, most likely none at all yet. */
function NoLinks({ longest }: { longest: boolean }) {
  return (
    <div className="empty-state">
      <p>
        <strong>No links were created in this period.</strong>
      </p>
      {longest ? (
        <p>
          Create your first link in <Link href="/links">Links</Link> (or with{' '}
          <code>POST /v1/magic-links</code>); its way from sent to redeemed will show here.
        </p>
      ) : (
        <p>
          Choose a longer period, or create a link in <Link href="/links">Links</Link>.
        </p>
      )}
    </div>
  );
}
