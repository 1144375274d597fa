import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations describe the schema as it was, not the current types
type AnyDb = Kysely<any>;

/**
 * `delivered_at` was only ever written when a message was given up (as the failure time), and no link was ever
 * marked `delivered`. The failure time gets a column of its own, and `delivered_at` from now on means what it says:
 * the receiving server accepted the message (an SMTP 250). Links sent before this keep `sent`: whether their mail
 * server accepted them was not recorded.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('magic_links').addColumn('delivery_failed_at', 'bigint').execute();
  await sql`update magic_links set delivery_failed_at = delivered_at, delivered_at = null where delivered_at is not null`.execute(
    db,
  );
}

export async function down(db: AnyDb): Promise<void> {
  await sql`update magic_links set delivered_at = delivery_failed_at where delivery_failed_at is not null`.execute(
    db,
  );
  await db.schema.alterTable('magic_links').dropColumn('delivery_failed_at').execute();
}
