import type { Stats } from '../api.js';
import { formatCount, formatDuration, formatShare } from '../format.js';

interface Card {
  label: string;
  value: string;
  detail?: string;
}

function cardsOf(stats: Stats): Card[] {
  const { funnel, conversion, send_to_redeem_seconds: timing } = stats;
  return [
    { label: 'Links created', value: formatCount(funnel.created) },
    {
      label: 'Sent',
      value: formatCount(funnel.sent),
      detail: `${formatCount(funnel.delivery_failed)} failed`,
    },
    { label: 'Delivered', value: formatCount(funnel.delivered), detail: 'email accepted by the mail server' },
    { label: 'Redeemed', value: formatCount(funnel.redeemed) },
    {
      label: 'Conversion',
      value: formatShare(conversion.sent_to_redeemed),
      detail: 'of links sent were redeemed',
    },
    {
      label: 'Median time to redeem',
      value: formatDuration(timing.median),
      detail: timing.p90 === null ? 'no link sent and redeemed' : `90% within ${formatDuration(timing.p90)}`,
    },
  ];
}

/** The period's headline numbers. */
export function StatCards({ stats }: { stats: Stats }) {
  return (
    <ul className="cards" aria-label="Totals">
      {cardsOf(stats).map((card) => (
        <li key={card.label} className="card">
          <span className="card-label">{card.label}</span>
          <span className="card-value">{card.value}</span>
          {card.detail && <span className="card-detail">{card.detail}</span>}
        </li>
      ))}
    </ul>
  );
}
