import type { Delivery, LinkDetail, TimelineEntry, Visit, WebhookSend } from './link-types.js';
import { PreciseTime } from './precise-time.js';

const WORDS: Record<string, string> = {
  created: 'Created',
  queued: 'Queued for sending',
  sent: 'Sent',
  delivered: 'Delivered',
  delivery_failed: 'Delivery failed',
  opened: 'Opened',
  redeemed: 'Redeemed',
  revoked: 'Revoked',
  expired: 'Expired',
};

/**
 * The link's story, oldest first, as GET /v1/magic-links/{id} tells it: its milestones, each message queued,
 * sent, delivered or failed (with what the provider answered), each run of visits (a person or a likely scanner,
 * and why), and the redemption with the session it opened.
 */
export function LinkTimeline({ link }: { link: LinkDetail }) {
  // The link's own entries, and each webhook send of its events, in time order (the sort keeps equal times in place).
  const items: Array<{ at: string; entry?: TimelineEntry; webhook?: WebhookSend }> = [
    ...link.timeline.map((entry) => ({ at: entry.at, entry })),
    ...[...link.webhooks].reverse().map((webhook) => ({ at: webhook.at, webhook })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <ol className="timeline">
      {items.map((item, i) => (
        <li
          // biome-ignore lint/suspicious/noArrayIndexKey: entries have no id and never reorder within one answer.
          key={i}
          className={
            item.webhook
              ? item.webhook.ok
                ? 'timeline-webhook'
                : 'timeline-webhook-failed'
              : `timeline-${item.entry?.status}`
          }
        >
          <span className="timeline-when">
            <PreciseTime value={item.at} />
          </span>
          <div className="timeline-what">
            {item.entry && (
              <>
                <strong>{titleOf(item.entry)}</strong>
                <Detail entry={item.entry} link={link} />
              </>
            )}
            {item.webhook && <WebhookDetail webhook={item.webhook} />}
          </div>
        </li>
      ))}
    </ol>
  );
}

function WebhookDetail({ webhook }: { webhook: WebhookSend }) {
  const answer = webhook.status_code === null ? webhook.error : `HTTP ${webhook.status_code}`;
  return (
    <>
      <strong>
        Webhook {webhook.event_type} {webhook.ok ? 'delivered' : 'not delivered'}
      </strong>
      <p className="muted">
        To endpoint {webhook.endpoint_id}, attempt {webhook.attempt}
        {answer ? `: ${answer}` : ''}
      </p>
    </>
  );
}

function titleOf(entry: TimelineEntry): string {
  if (entry.status !== 'visited') return WORDS[entry.status] ?? entry.status;
  const who = entry.verdict === 'person' ? 'Visited by a person' : 'Visited by a likely scanner';
  return (entry.count ?? 1) > 1 ? `${who} (${entry.count} requests)` : who;
}

function Detail({ entry, link }: { entry: TimelineEntry; link: LinkDetail }) {
  switch (entry.status) {
    case 'sent':
    case 'delivered':
    case 'delivery_failed': {
      const answer = providerAnswer(link.deliveries, entry);
      return answer ? <p className="muted">Provider’s answer: {answer}</p> : null;
    }
    case 'queued': {
      const message = link.deliveries.find((d) => d.created_at === entry.at);
      return message ? (
        <p className="muted">
          By {message.channel === 'phone' ? 'SMS' : 'email'} to {message.recipient}
        </p>
      ) : null;
    }
    case 'visited': {
      const reasons = visitReasons(link.visits, entry);
      return reasons.length > 0 ? <p className="muted">{reasons.join('; ')}</p> : null;
    }
    case 'redeemed':
      return link.session_id ? <p className="muted">Opened session {link.session_id}</p> : null;
    default:
      return null;
  }
}

/** What the mail server or SMS provider said to the attempt at this moment: the success or the last refusal. */
function providerAnswer(deliveries: Delivery[], entry: TimelineEntry): string | null {
  const attempts = deliveries.flatMap((d) => d.attempt_log);
  const wanted = entry.status !== 'delivery_failed';
  const atThatTime = attempts.filter((a) => a.ok === wanted && a.at <= entry.at);
  const attempt = atThatTime[atThatTime.length - 1] ?? attempts.filter((a) => a.ok === wanted).at(-1);
  if (attempt?.answer) return attempt.answer;
  if (entry.status === 'delivery_failed') return deliveries.find((d) => d.last_error)?.last_error ?? null;
  return null;
}

/** The distinct reasons of the visits a `visited` entry sums up (the visits are newest first). */
function visitReasons(visits: Visit[], entry: TimelineEntry): string[] {
  const last = entry.last_at ?? entry.at;
  const inRun = visits.filter((v) => v.verdict === entry.verdict && v.at >= entry.at && v.at <= last);
  return [...new Set(inRun.reverse().map((v) => `${v.method}: ${v.reason}`))];
}
