/**
 * Which column of the operator's file is which field of a link request (docs/api.md "Magic links"), and the link
 * requests the mapped rows make. A first guess comes from the column names; the operator can change every column.
 */

/** The fields of POST /v1/magic-links a column can fill; `''` leaves the column out. */
export const LINK_FIELDS = [
  { value: 'email', label: 'Email address' },
  { value: 'phone', label: 'Phone number' },
  { value: 'user_id', label: 'User id' },
  { value: 'redirect_url', label: 'Redirect URL' },
  { value: 'language', label: 'Language' },
  { value: 'type', label: 'Link type' },
  { value: 'ttl', label: 'Lifetime (minutes)' },
  { value: 'channel', label: 'Channel' },
  { value: 'magic_link_path', label: 'Link page path' },
] as const;

export type LinkField = (typeof LINK_FIELDS)[number]['value'];
/** One column's field, or none. */
export type Mapping = Array<LinkField | ''>;

const ALIASES: Record<LinkField, readonly string[]> = {
  email: ['email', 'e-mail', 'mail', 'email address', 'emailaddress'],
  phone: ['phone', 'phone number', 'mobile', 'tel', 'telephone', 'msisdn'],
  user_id: ['user_id', 'user id', 'userid', 'user'],
  redirect_url: ['redirect_url', 'redirect', 'redirect url', 'redirect_to', 'url', 'return_url'],
  language: ['language', 'lang', 'locale'],
  type: ['type', 'link type', 'link_type'],
  ttl: ['ttl', 'lifetime', 'expires in', 'minutes'],
  channel: ['channel'],
  magic_link_path: ['magic_link_path', 'path', 'link path'],
};

/** A field per column from its name, each field used at most once. */
export function guessMapping(header: readonly string[]): Mapping {
  const used = new Set<LinkField>();
  return header.map((name) => {
    const key = name.trim().toLowerCase().replace(/\s+/g, ' ');
    const field = LINK_FIELDS.find(({ value }) => !used.has(value) && ALIASES[value].includes(key))?.value;
    if (!field) return '';
    used.add(field);
    return field;
  });
}

/** What is wrong with a mapping as a whole, before any row is looked at. */
export function mappingProblem(mapping: Mapping): string | undefined {
  const seen = new Set<string>();
  for (const field of mapping) {
    if (!field) continue;
    if (seen.has(field)) {
      const label = LINK_FIELDS.find((f) => f.value === field)?.label ?? field;
      return `Two columns are mapped to “${label}”; map each field from one column only.`;
    }
    seen.add(field);
  }
  if (!['email', 'phone', 'user_id'].some((field) => seen.has(field))) {
    return 'Map a column to the email address, the phone number or the user id: each link is for someone.';
  }
  return undefined;
}

/**
 * The link request of each row: mapped, non-empty cells only (an empty cell means the field is absent, as in the
 * API's own CSV). `ttl` goes as a number when it is one, so the server's message about it is about its value.
 */
export function linkRequests(rows: readonly string[][], mapping: Mapping): Array<Record<string, unknown>> {
  return rows.map((row) => {
    const request: Record<string, unknown> = {};
    mapping.forEach((field, index) => {
      const cell = row[index]?.trim() ?? '';
      if (!field || cell === '') return;
      request[field] = field === 'ttl' && /^\d+$/.test(cell) ? Number(cell) : cell;
    });
    return request;
  });
}
