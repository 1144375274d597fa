import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/** Where the collisions found by this migration are written down for the operator (`latchkey_meta`). */
export const COLLISIONS_NOTE_KEY = 'public_host_collisions';

export interface HostCollision {
  host: string;
  /** The oldest app whose public_url has the host: it keeps it, as it already won every lookup before. */
  kept_by: string;
  /** The other apps whose public_url has the host; they hold no host until an admin moves it or they change. */
  not_held_by: string[];
}

/**
 * The host a public_url claims, spelled one way: the URL parser's lower-case (and punycode) hostname without a
 * trailing dot, with the port unless it is 80 or 443. The same rule as `publicHostOf` in apps/app-settings.ts,
 * copied rather than imported because a migration must keep doing what it did when it shipped (and storage/ may
 * not import apps/); apps/app-hosts-migration.test.ts checks that the two agree.
 */
export function hostOfPublicUrl(publicUrl: unknown): string | null {
  if (typeof publicUrl !== 'string' || !URL.canParse(publicUrl)) return null;
  const url = new URL(publicUrl);
  const hostname = url.hostname.replace(/\.$/, '');
  if (hostname === '') return null;
  return url.port === '' || url.port === '80' || url.port === '443' ? hostname : `${hostname}:${url.port}`;
}

/**
 * A host belongs to one app: `apps.public_host` holds the host of each app's own public_url under a unique index,
 * so that a second app claiming a host fails in the database itself, whichever node or request gets there first.
 *
 * Existing data may already have two apps on one host. The migration must not fail on it, and must not change who
 * is served: the host index has always given a shared host to the oldest app, so the oldest keeps it and the
 * others' column stays null (their settings are left as they are). Each collision is written to `latchkey_meta`
 * and printed as a warning, so an operator can decide who the host is for and move it with the admin key.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('apps').addColumn('public_host', 'text').execute();
  const apps: Array<{ id: string; settings: string }> = await db
    .selectFrom('apps')
    .select(['id', 'settings'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const collisions = new Map<string, HostCollision>();
  for (const app of apps) {
    const host = hostOfPublicUrl(publicUrlOf(app.settings));
    if (host === null) continue;
    const collision = collisions.get(host);
    if (collision) {
      collision.not_held_by.push(app.id);
      continue;
    }
    collisions.set(host, { host, kept_by: app.id, not_held_by: [] });
    await db.updateTable('apps').set({ public_host: host }).where('id', '=', app.id).execute();
  }
  await db.schema.createIndex('apps_public_host').on('apps').column('public_host').unique().execute();
  const found = [...collisions.values()].filter((c) => c.not_held_by.length > 0);
  if (found.length > 0) await reportCollisions(db, found);
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('apps_public_host').ifExists().execute();
  await db.schema.alterTable('apps').dropColumn('public_host').execute();
  await db.deleteFrom('latchkey_meta').where('key', '=', COLLISIONS_NOTE_KEY).execute();
}

function publicUrlOf(settings: string): unknown {
  try {
    return (JSON.parse(settings) as { public_url?: unknown }).public_url;
  } catch {
    return null;
  }
}

async function reportCollisions(db: AnyDb, collisions: HostCollision[]): Promise<void> {
  await db
    .insertInto('latchkey_meta')
    .values({ key: COLLISIONS_NOTE_KEY, value: JSON.stringify(collisions), created_at: Date.now() })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(collisions) }))
    .execute();
  // Migrations run before the logger exists (and from `latchkey migrate`), so this goes to stderr directly.
  for (const c of collisions) {
    console.warn(
      `latchkey: apps ${[c.kept_by, ...c.not_held_by].join(', ')} all have public_url on ${c.host}. ` +
        `${c.kept_by} (the oldest) keeps the host; the others do not hold it and must change public_url ` +
        `before saving other settings, unless an admin moves the host to one of them with ` +
        `PATCH /v1/apps/{app_id} {"public_url": …, "move_host": true}. Recorded in latchkey_meta '${COLLISIONS_NOTE_KEY}'.`,
    );
  }
}
