import { StatusBadge, type Tone } from '../ui/status-badge.js';

const TONES: Record<string, Tone> = {
  redeemed: 'good',
  delivered: 'good',
  sent: 'good',
  opened: 'waiting',
  created: 'waiting',
  delivery_failed: 'bad',
  revoked: 'bad',
  expired: 'plain',
};

/** A link's status as a badge: used and delivered links read as good, failed and revoked as bad. */
export function LinkStatus({ status }: { status: string }) {
  return <StatusBadge status={status} tone={TONES[status] ?? 'plain'} />;
}
