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
 * chart library would cost more than the whole first screen for five bars. The steps are not strictly nested (a
 * link the app sent itself is opened without being "sent" by Latchkey), so a share of the step before can pass
 * 100%; it is left out where the step before is 0.
 */
export function FunnelChart({ funnel }: { funnel: Funnel }) {
  const created = funnel.created;
  return (
    <figure className="funnel">
      <figcaption>From created to redeemed</figcaption>
      <ol>
        {STEPS.map((step, index) => {
          const value = funnel[step.key];
          const before = index === 0 ? undefined : STEPS[index - 1]!;
          const shares = [
            created > 0 && index > 0 ? `${formatShare(value / created)} of created` : '',
            // The step before "sent" is "created", already said.
            before && index > 1 && funnel[before.key] > 0
              ? `${formatShare(value / funnel[before.key])} of ${before.label.toLowerCase()}`
              : '',
          ].filter(Boolean);
          const width =
            created === 0 || value === 0 ? 0 : Math.max(0.5, Math.min(100, (100 * value) / created));
          return (
            <li key={step.key}>
              <span className="funnel-label">{step.label}</span>
              <span className="funnel-value">{formatCount(value)}</span>
              <span className="funnel-bar" aria-hidden="true">
                <span className="funnel-fill" style={{ inlineSize: `${width.toFixed(1)}%` }} />
              </span>
              {shares.length > 0 && <span className="funnel-share">{shares.join(' · ')}</span>}
            </li>
          );
        })}
      </ol>
    </figure>
  );
}
