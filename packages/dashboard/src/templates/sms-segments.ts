/**
 * How many messages an SMS is sent as. Text entirely in the GSM 03.38 alphabet goes as GSM-7: 160 characters in one
 * message, or 153 per part once it needs more than one (the rest of each part is the header that joins them); the
 * characters of the extension table (€ [ ] { } \ ^ ~ | and form feed) take two places and are never split between
 * parts. Any other character sends the whole text as UCS-2: 70 UTF-16 units alone, 67 per part, a surrogate pair
 * never split.
 */

const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM_EXTENSION = new Set('^{}\\[~]|€\f');

export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /** Places the text takes: GSM-7 septets, or UTF-16 units. */
  length: number;
  segments: number;
  /** What one message holds at this length: 160 or 153 (GSM-7), 70 or 67 (UCS-2). */
  perSegment: number;
}

export function smsSegments(text: string): SmsSegments {
  const chars = [...text];
  const gsm = chars.every((char) => GSM_BASIC.has(char) || GSM_EXTENSION.has(char));
  // Each character's size in its encoding: a code point outside the BMP is two UTF-16 units.
  const sizes = chars.map((char) => (gsm ? (GSM_EXTENSION.has(char) ? 2 : 1) : char.length));
  const length = sizes.reduce((sum, size) => sum + size, 0);
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  const encoding = gsm ? 'GSM-7' : 'UCS-2';
  if (length === 0) return { encoding, length, segments: 0, perSegment: single };
  if (length <= single) return { encoding, length, segments: 1, perSegment: single };
  // Parts fill up to their size; a character that does not fit whole starts the next part.
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, length, segments, perSegment: part };
}
