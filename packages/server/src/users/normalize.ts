/**
 * Identifiers are compared in one canonical form so that one person is one user: `Jane@Example.com`,
 * `jane@example.com.` and `jane@EXAMPLE.com` are the same address, `+44 (0) 20 7946 0958` and `+442079460958` the
 * same phone. Anything that is not a deliverable address or a real number is refused here rather than stored as a
 * second user nobody can reach.
 */
import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js';

const CONTROL = /\p{Cc}/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Lower-case letters, digits, dots and hyphens, ending in a label that starts with a letter (so never a number). */
const HOST_ASCII = /^[a-z0-9.-]*\.[a-z][a-z0-9-]*$/;
/** What may not appear in the local part of an address we accept (quoted local parts are not supported). */
const LOCAL_FORBIDDEN = /[\s@<>()[\]\\,;:"]/u;
/** A DNS label after IDNA: letters, digits and inner hyphens, 1–63 characters. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The canonical form of an email address, or undefined when it is not one: trimmed, NFC, lower-case; the domain
 * without its trailing dot and in its IDNA (punycode) form, so `jane@bücher.example` and
 * `jane@xn--bcher-kva.example` are one address; every domain label non-empty and a host name's; at least two labels,
 * the last not all digits.
 */
export function normalizeEmail(raw: string): string | undefined {
  if (raw.length > 1024) return undefined;
  const trimmed = raw.trim();
  // Most addresses are printable ASCII, which has no control characters, lone surrogates or forms to compose.
  const ascii = PRINTABLE_ASCII.test(trimmed);
  if (!ascii && (!trimmed.isWellFormed() || CONTROL.test(trimmed))) return undefined;
  // NFC again after lower-casing: a lower-case letter can compose with a following mark where the capital did not.
  const email = ascii ? trimmed.toLowerCase() : trimmed.normalize('NFC').toLowerCase().normalize('NFC');
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  if (at < 1 || local.length > 64 || LOCAL_FORBIDDEN.test(local)) return undefined;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return undefined;
  const domain = asciiDomain(email.slice(at + 1));
  if (domain === undefined) return undefined;
  const result = `${local}@${domain}`;
  return result.length <= 254 ? result : undefined;
}

function asciiDomain(raw: string): string | undefined {
  // The root's dot is part of every name: `example.com.` is `example.com`.
  const name = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (name === '' || name.length > 253) return undefined;
  // A lower-case name of letters, digits, dots and hyphens, whose last label cannot be read as a number, with no
  // `xn--` label, is already its own IDNA form (the label checks below still apply); only other names need the
  // conversion, which was the slow part of a create's address check.
  const ascii = HOST_ASCII.test(name) && !name.includes('xn--') ? name : domainToASCII(name);
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return undefined;
  return /^\d+$/.test(labels.at(-1)!) ? undefined : ascii;
}

/** Characters a person writes a phone number with; anything else (letters, an extension, other digits) is refused. */
const PHONE_TEXT = /^\+?[0-9\s().\-/]{1,40}$/;

/** ISO 3166 two-letter regions libphonenumber knows, for an app's default region. */
export function isPhoneRegion(region: string): boolean {
  return /^[A-Z]{2}$/.test(region) && phoneNumbers().isSupportedCountry(region as CountryCode);
}

/**
 * The E.164 form of a phone number, or undefined when it is not a valid number. Parsed with libphonenumber's full
 * metadata: a national trunk prefix written after the country code (`+44 (0) 20…`) is dropped, numbers that no
 * country assigns (`+1 000…`, `+999…`) are refused. A number without `+` needs `defaultRegion` (an app's
 * `default_phone_region`), whose national form it is then read in (`020 7946 0958` in GB).
 */
export function normalizePhone(raw: string, defaultRegion?: string | null): string | undefined {
  const text = raw.trim();
  if (!PHONE_TEXT.test(text) || text.indexOf('+', 1) !== -1) return undefined;
  if (!text.startsWith('+') && !defaultRegion) return undefined;
  let parsed: PhoneNumber | undefined;
  try {
    parsed = phoneNumbers().parsePhoneNumberFromString(text, {
      ...(defaultRegion ? { defaultCountry: defaultRegion as CountryCode } : {}),
      extract: false,
    });
  } catch {
    return undefined;
  }
  if (!parsed?.isValid() || parsed.ext) return undefined;
  return parsed.number;
}

type PhoneModule = typeof import('libphonenumber-js/max');
let phoneModule: PhoneModule | undefined;

/** The full metadata (about 150 KB) is loaded on the first phone number, not at start. */
function phoneNumbers(): PhoneModule {
  phoneModule ??= createRequire(import.meta.url)('libphonenumber-js/max') as PhoneModule;
  return phoneModule;
}
