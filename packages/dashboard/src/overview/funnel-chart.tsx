import type { Funnel } from '../api.js';
import { formatCount, formatShare } from '../format.js';

const STEPS: Array<{ key: keyof Funnel; label: string }> = [
  { key: 'created', label: 'Created' },
  { key: 'sent', label: 'Sent' },
  { key: 'delivered', label: 'Delivered' },
  { key: 'opened', label: 'Opened' },
  { key: 'redeemed', label: 'Redeemed' },
];

/**
 * Each step as a bar scaled to the links created, with its share of created and of the step before. Plain HTML: a
 * chart library would cost more than the whole first screen for five bars. A link sent by the app itself is never
 * "sent" by Latchkey, so a step can be larger than the one before it; the share then says so.
 */
export function FunnelChart({ funnel }: { funnel: Funnel }) {
  const created = funnel.created;
  return (
    <figure className="funnel">
      <figcaption>From created to redeemed</figcaption>
      <ol>
        {STEPS.map((step, index) => {
          const value = funnel[step.key];
          const previous = index === 0 ? null : funnel[STEPS[index - 1]!.key];
          const width = created === 0 ? 0 : Math.min(1, value / created);
          return (
            <li key={step.key}>
              <span className="funnel-label">{step.label}</span>
              <span className="funnel-bar" aria-hidden="true">
                <span className="funnel-fill" style={{ inlineSize: `${(width * 100).toFixed(1)}%` }} />
              </span>
              <span className="funnel-value">
                {formatCount(value)}
                {index > 0 && (
                  <span className="funnel-share">
                    {formatShare(created === 0 ? null : value / created)} of created ·{' '}
                    {formatShare(previous ? value / previous : null)} of the step before
                  </span>
                )}
              </span>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}
