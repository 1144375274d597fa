/**
 * Stored identifiers against today's rules. The rules for email addresses and phone numbers got stricter (a trailing
 * dot, IDNA domains, trunk prefixes), so a database may hold users whose identifier is no longer in canonical form,
 * and sometimes two users that the new rules say are one person. Such users are never merged here: merging joins
 * two people's links and sessions, which only a person who knows them may decide. What is safe is done (a lone
 * user's identifier rewritten to its canonical form); the rest is reported, by the first start after an upgrade
 * (in the log) and by `latchkey doctor`.
 */
import { UniqueViolation } from '../storage/unique-violation.js';
import { normalizeEmail, normalizePhone } from './normalize.js';
import type { UserContext, UserIdentifiers } from './user-store.js';

export interface IdentifierClash {
  app_id: string;
  kind: 'email' | 'phone';
  /** Ids only: the addresses themselves stay out of logs. */
  user_ids: string[];
}

export interface IdentifierReview {
  users: number;
  /** Users whose identifier is not in canonical form and is the only one with that form: rewritten with `apply`. */
  rewritable: number;
  /** Users the new rules would make one. */
  clashes: IdentifierClash[];
  /** Users whose stored identifier the new rules refuse (they keep it; they just cannot be found by it anew). */
  invalid: Array<{ user_id: string; kind: 'email' | 'phone' }>;
}

const PAGE = 1000;

export async function reviewIdentifiers(
  ctx: UserContext,
  options: { apply: boolean },
): Promise<IdentifierReview> {
  const byForm = new Map<string, UserIdentifiers[]>();
  const review: IdentifierReview = { users: 0, rewritable: 0, clashes: [], invalid: [] };
  const changed: Array<{ user: UserIdentifiers; kind: 'email' | 'phone'; form: string }> = [];
  for (let after: string | null = null; ; ) {
    const page = await ctx.store.userIdentifiersPage(after, PAGE);
    for (const user of page) {
      review.users++;
      for (const kind of ['email', 'phone'] as const) {
        const stored = user[kind];
        if (stored === null) continue;
        const form = kind === 'email' ? normalizeEmail(stored) : normalizePhone(stored);
        if (form === undefined) {
          review.invalid.push({ user_id: user.id, kind });
          continue;
        }
        const key = `${user.app_id}\u0000${kind}\u0000${form}`;
        byForm.set(key, [...(byForm.get(key) ?? []), user]);
        if (form !== stored) changed.push({ user, kind, form });
      }
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
  for (const [key, users] of byForm) {
    if (users.length < 2) continue;
    const [app_id, kind] = key.split('\u0000') as [string, 'email' | 'phone'];
    review.clashes.push({ app_id, kind, user_ids: users.map((u) => u.id) });
  }
  for (const { user, kind, form } of changed) {
    if (byForm.get(`${user.app_id}\u0000${kind}\u0000${form}`)!.length > 1) continue;
    if (options.apply) {
      try {
        await ctx.store.rewriteIdentifier(user.app_id, user.id, kind, form, ctx.clock());
      } catch (error) {
        // A user with that form was created meanwhile: two people again, left for a person to decide.
        if (!(error instanceof UniqueViolation)) throw error;
        review.clashes.push({ app_id: user.app_id, kind, user_ids: [user.id] });
        continue;
      }
    }
    review.rewritable++;
  }
  return review;
}

/** One line for a person: what the review found. */
export function describeReview(review: IdentifierReview): string {
  const clashes = review.clashes
    .map((c) => `${c.kind} of ${c.user_ids.join(' and ')} (app ${c.app_id})`)
    .join('; ');
  return [
    review.clashes.length === 0
      ? 'no two users share an identifier under the current rules'
      : `${review.clashes.length} group(s) of users would be one person under the current rules and were left apart for you to decide (merge with PATCH/DELETE /v1/users): ${clashes}`,
    review.invalid.length === 0
      ? ''
      : `${review.invalid.length} user(s) have an identifier the current rules refuse: ${review.invalid
          .slice(0, 20)
          .map((i) => `${i.user_id} (${i.kind})`)
          .join(', ')}${review.invalid.length > 20 ? ', …' : ''}`,
  ]
    .filter(Boolean)
    .join('; ');
}
