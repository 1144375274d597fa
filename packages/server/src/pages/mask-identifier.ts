const MASK = '***';

/** Punctuation people type inside phone numbers; E.164 itself is `+` and digits only. */
const PHONE_PUNCTUATION = /[\s().-]/g;
const E164 = /^\+\d{7,15}$/;

/**
 * Shows enough of an email or phone for its owner to recognise it, and too little for anyone else to learn it:
 * `jane@example.com` → `j***@example.com`, `+447911123489` → `+44***89`, anything else → first character + `***`.
 */
export function maskIdentifier(identifier: string): string {
  const value = identifier.trim();
  const at = value.lastIndexOf('@');
  if (at >= 0 && at < value.length - 1) return `${firstChar(value.slice(0, at))}${MASK}${value.slice(at)}`;
  const phone = value.replace(PHONE_PUNCTUATION, '');
  if (E164.test(phone)) return `${phone.slice(0, 3)}${MASK}${phone.slice(-2)}`;
  return `${firstChar(value)}${MASK}`;
}

/** First code point, so an emoji or astral character is never cut in half. */
function firstChar(value: string): string {
  return Array.from(value)[0] ?? '';
}
