/** Link figures as GET /v1/stats answers them; a campaign's funnel (links/campaigns) counts with the same steps. */
import { Type } from 'typebox';
import { LinkTypeSchema, Named, Nullable, Timestamp } from '../http/schemas.js';

const count = (description: string) => Type.Integer({ minimum: 0, description });

/** A share from 0 to 1 with four decimals; null when there is nothing to divide by. */
export const Share = (description: string) =>
  Nullable(Type.Number({ minimum: 0, maximum: 1, description: `${description} (0 to 1; null for 0 of 0)` }));

/** How many links reached each step. */
export const StatsCounts = Named(
  'StatsCounts',
  Type.Object({
    created: count('Links made.'),
    sent: count('Of them, sent (a transport took a message).'),
    delivered: count('Of them, delivered (the receiving server accepted it).'),
    delivery_failed: count('Of them, given up on after the last attempt.'),
    opened: count('Of them, opened (the hosted page was visited).'),
    redeemed: count('Of them, redeemed.'),
    revoked: count('Of them, revoked.'),
    expired: count('Of them, expired unused.'),
  }),
);

/** A UTC day as `YYYY-MM-DD`. */
export const Day = Type.String({ format: 'date', examples: ['2026-12-06'] });

export const LinkStats = Named(
  'LinkStats',
  Type.Object(
    {
      from: Timestamp,
      to: { ...Timestamp, description: 'Exclusive.' },
      type: Nullable(LinkTypeSchema),
      funnel: StatsCounts,
      conversion: Type.Object({
        sent_to_redeemed: Share('Of the links sent, the share redeemed'),
        created_to_redeemed: Share('Of the links made, the share redeemed'),
        created_to_opened: Share('Of the links made, the share opened'),
        invite_to_first_login: Share('Of the invites made, the share redeemed'),
      }),
      send_to_redeem_seconds: Type.Object(
        {
          count: count('Links sent and then redeemed.'),
          median: Nullable(Type.Number({ minimum: 0 })),
          p90: Nullable(Type.Number({ minimum: 0 })),
        },
        { description: 'Seconds from send to redemption, to a tenth of a second; null without redemptions.' },
      ),
      invites: Type.Object({
        invited: count('Invite links made.'),
        signed_in: count('Of them, redeemed (the invited user’s first sign-in).'),
        at_least_7_days_old: count('Of them, those whose first week is over.'),
        active_within_7_days: count('Of those, the ones whose user signed in or refreshed within 7 days.'),
        active_within_7_days_share: Share('active_within_7_days of at_least_7_days_old'),
      }),
      failures: Type.Array(
        Type.Object({
          type: Type.String({
            description: 'magic_link.delivery_failed, login.code_failed or rate_limit.hit',
          }),
          reason: Nullable(Type.String()),
          count: count('How many such events.'),
        }),
        { description: 'The commonest failures in the period (at most 50), most frequent first.' },
      ),
      series: Type.Array(Type.Object({ date: Day, ...StatsCounts.properties }), {
        description: 'One entry per UTC day that has links, oldest first.',
      }),
    },
    { description: 'The funnel of the links made in [from, to), counted by when each was made' },
  ),
);
