import type { MessageStatus } from '../api.js';
import { StatusBadge, type Tone } from '../ui/status-badge.js';

const TONES: Record<MessageStatus, Tone> = {
  sent: 'good',
  failed: 'bad',
  pending: 'waiting',
  sending: 'waiting',
};

export function MessageStatusBadge({ status }: { status: MessageStatus }) {
  return <StatusBadge status={status} tone={TONES[status]} />;
}

export const CHANNEL_NAMES = { email: 'Email', phone: 'SMS' } as const;
