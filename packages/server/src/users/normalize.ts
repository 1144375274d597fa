/**
 * Identifiers are compared in one canonical form so that `Jane@Example.com` and `jane@example.com` are one
 * user: emails are trimmed, put in Unicode NFC and lower-cased; phone numbers are reduced to E.164.
 */

const CONTROL = /\p{Cc}/u;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/u;

export function normalizeEmail(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (!trimmed.isWellFormed() || CONTROL.test(trimmed)) return undefined;
  // NFC again after lower-casing: a lower-case letter can compose with a following mark where the capital did not.
  const email = trimmed.normalize('NFC').toLowerCase().normalize('NFC');
  if (email.length > 254 || !EMAIL.test(email)) return undefined;
  return email;
}

/** Accepts `+44 20 7946 0958`, `+1 (555) 010-9999` and the like; the leading `+` and country code are required. */
export function normalizePhone(raw: string): string | undefined {
  const phone = raw.trim().replace(/[\s().-]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(phone) ? phone : undefined;
}
