import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { useApi } from '../api-context.js';
import { formatCount, formatDuration } from '../format.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { StatusBadge, type Tone } from '../ui/status-badge.js';

type HealthStatus = 'ok' | 'warning' | 'failing';

/** The answer of GET /v1/health (docs/api.md, "An app's health"). */
interface Health {
  status: HealthStatus;
  checked_at: string;
  outbox: {
    status: HealthStatus;
    pending: number;
    sending: number;
    oldest_queued_at: string | null;
    oldest_age_seconds: number | null;
  };
  webhooks: {
    status: HealthStatus;
    endpoints: number;
    failing: Array<{ id: string; url: string; status: 'enabled' | 'disabled'; failing_since: string | null }>;
  };
  delivery_failures: { status: HealthStatus; since: string; email_and_sms: number; webhooks: number };
}

/** Each status in words first; the colour only repeats them. */
const WORDS: Record<HealthStatus, { label: string; tone: Tone }> = {
  ok: { label: 'OK', tone: 'good' },
  warning: { label: 'Needs a look', tone: 'waiting' },
  failing: { label: 'Failing', tone: 'bad' },
};

/**
 * Whether the app's messages are getting out: the outbox backlog and its oldest message's age, failing webhook
 * endpoints, and delivery failures in the last hour. Read again every minute while the Overview is open.
 */
export function HealthPanel({ appId }: { appId: string }) {
  const api = useApi();
  const health = useQuery({
    queryKey: ['app', appId, 'health'],
    queryFn: () => api.v1<Health>('GET', '/health', { app: appId }),
    refetchInterval: 60_000,
  });
  return (
    <section className="health" aria-labelledby="health-title">
      <div className="health-head">
        <h2 id="health-title">Health</h2>
        {health.data && <Badge status={health.data.status} />}
        {health.data && (
          <span className="muted">
            checked <LocalTime value={health.data.checked_at} />
          </span>
        )}
      </div>
      {health.isPending && <p role="status">Loading…</p>}
      <FormError message={health.error?.message} />
      {health.data && (
        <dl className="health-list">
          <Row label="Outbox" status={health.data.outbox.status}>
            <OutboxText outbox={health.data.outbox} />
          </Row>
          <Row label="Webhooks" status={health.data.webhooks.status}>
            <WebhookText webhooks={health.data.webhooks} />
          </Row>
          <Row label="Failures, last hour" status={health.data.delivery_failures.status}>
            <FailureText failures={health.data.delivery_failures} />
          </Row>
        </dl>
      )}
    </section>
  );
}

function Badge({ status }: { status: HealthStatus }) {
  return <StatusBadge status={WORDS[status].label} tone={WORDS[status].tone} />;
}

function Row({ label, status, children }: { label: string; status: HealthStatus; children: ReactNode }) {
  return (
    <div className={`health-row health-${status}`}>
      <dt>{label}</dt>
      <dd>
        <Badge status={status} /> <span>{children}</span>
      </dd>
    </div>
  );
}

function OutboxText({ outbox }: { outbox: Health['outbox'] }) {
  const waiting = outbox.pending + outbox.sending;
  if (waiting === 0) return <>Nothing is waiting to be sent.</>;
  return (
    <>
      {formatCount(outbox.pending)} waiting, {formatCount(outbox.sending)} being sent; the oldest has waited{' '}
      {formatDuration(outbox.oldest_age_seconds ?? 0)}.
    </>
  );
}

function WebhookText({ webhooks }: { webhooks: Health['webhooks'] }) {
  if (webhooks.endpoints === 0) return <>No endpoints.</>;
  if (webhooks.failing.length === 0)
    return (
      <>
        {webhooks.endpoints === 1 ? 'The endpoint is' : `All ${webhooks.endpoints} endpoints are`} receiving
        events.
      </>
    );
  const disabled = webhooks.failing.filter((e) => e.status === 'disabled').length;
  return (
    <>
      {webhooks.failing.length} of {webhooks.endpoints} failing
      {disabled > 0 && <> ({disabled} turned off for failing)</>}:{' '}
      {webhooks.failing.slice(0, 3).map((endpoint, index) => (
        <span key={endpoint.id}>
          {index > 0 && ', '}
          <code>{endpoint.url}</code>
          {endpoint.failing_since && (
            <>
              {' '}
              since <LocalTime value={endpoint.failing_since} />
            </>
          )}
        </span>
      ))}
      {webhooks.failing.length > 3 && <>, and {webhooks.failing.length - 3} more</>}.{' '}
      <Link href="/webhooks">Webhooks</Link>
    </>
  );
}

function FailureText({ failures }: { failures: Health['delivery_failures'] }) {
  const { email_and_sms: sends, webhooks } = failures;
  if (sends === 0 && webhooks === 0) return <>No delivery failed.</>;
  const parts = [
    sends > 0 ? `${formatCount(sends)} email or SMS ${sends === 1 ? 'attempt' : 'attempts'}` : '',
    webhooks > 0 ? `${formatCount(webhooks)} webhook ${webhooks === 1 ? 'delivery' : 'deliveries'}` : '',
  ].filter(Boolean);
  return (
    <>
      {parts.join(' and ')} failed.{' '}
      <Link href={sends > 0 ? '/delivery' : '/webhooks'}>{sends > 0 ? 'Delivery' : 'Webhooks'}</Link>
    </>
  );
}
