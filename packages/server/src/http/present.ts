/**
 * Helpers for how stored rows look in API responses: ISO times and pages of a list. Each capability presents its own
 * rows (apps/app-present.ts, links/link-present.ts, …): real booleans, parsed JSON, and never a secret or hash.
 */

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** Trims the extra row that list queries fetch and turns it into `next_cursor`. */
export function listResponse<Row extends { id: string }, Out>(
  rows: Row[],
  limit: number,
  present: (row: Row) => Out,
) {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { data: page.map(present), next_cursor: more ? page[page.length - 1]!.id : null };
}
