/**
 * What must hold in the stored rows of links whatever happened to the requests that wrote them (a full disk, a
 * database restart): each write is all or nothing. Plain SQL that runs on SQLite and PostgreSQL alike; each query
 * returns the rows that break its rule, so a passing check returns none.
 */
export const LINK_INVARIANTS: Record<string, string> = {
  'a link without exactly one magic_link.created event': `
    select ml.id from magic_links ml
     where (select count(*) from events e where e.subject_id = ml.id and e.type = 'magic_link.created') <> 1`,
  'a magic_link.created event without its link': `
    select e.id from events e
     where e.type = 'magic_link.created' and not exists (select 1 from magic_links ml where ml.id = e.subject_id)`,
  'a link sent on a channel without exactly one outbox message': `
    select ml.id from magic_links ml
     where ml.channel is not null and (select count(*) from outbox o where o.link_id = ml.id) <> 1`,
  'an outbox message without its link': `
    select o.id from outbox o
     where o.link_id is not null and not exists (select 1 from magic_links ml where ml.id = o.link_id)`,
  'a link redeemed more than once': `
    select s.link_id from sessions s where s.link_id is not null group by s.link_id having count(*) > 1`,
  'a redeemed link without its session': `
    select ml.id from magic_links ml
     where ml.status = 'redeemed'
       and not exists (select 1 from sessions s where s.id = ml.session_id and s.link_id = ml.id)`,
  'a session of a link that is not redeemed': `
    select s.id from sessions s join magic_links ml on ml.id = s.link_id where ml.status <> 'redeemed'`,
};

/** Runs every invariant through `query` and returns the broken ones with their offending rows (empty: all hold). */
export async function brokenLinkInvariants(
  query: (sql: string) => Promise<unknown[]> | unknown[],
): Promise<Record<string, unknown[]>> {
  const broken: Record<string, unknown[]> = {};
  for (const [rule, sql] of Object.entries(LINK_INVARIANTS)) {
    const rows = await query(sql);
    if (rows.length > 0) broken[rule] = rows;
  }
  return broken;
}
