/**
 * A status as a word in a coloured frame; the word carries the meaning, the colour only repeats it. `tone` picks
 * the colour: good (redeemed, sent, delivered), bad (failed, revoked), waiting (pending), or plain.
 */
export type Tone = 'good' | 'bad' | 'waiting' | 'plain';

export function StatusBadge({ status, tone = 'plain' }: { status: string; tone?: Tone }) {
  return <span className={`badge badge-${tone}`}>{status.replaceAll('_', ' ')}</span>;
}
