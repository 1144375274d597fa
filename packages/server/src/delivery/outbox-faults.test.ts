/**
 * A store error where the outbox worker records a failed send. The fault is injected in the database itself (a
 * trigger that refuses the write, as a full disk or a dropped connection would), not in our code: the worker must
 * log it, keep the process alive, and leave the message to be tried again once its lease runs out.
 */
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDelivery } from '../runtime.js';
import { type DatabaseHandle, openDatabase } from '../storage/database.js';
import { freePort } from '../test-support/cli-process.js';
import { DIALECTS } from '../test-support/databases.js';
import { eventually } from '../test-support/eventually.js';
import { createTestLink, startTestServer, type TestServer } from '../test-support/test-server.js';

const REFUSAL = 'injected: the database refused the write';

/** Makes every write that gives a claimed message back (retry later, or give up) fail. */
async function refuseFailureRecords(handle: DatabaseHandle): Promise<void> {
  if (handle.dialect === 'sqlite') {
    await sql
      .raw(
        `create trigger refuse_outbox_failure before update of status on outbox
           when old.status = 'sending' and new.status in ('pending', 'failed')
           begin select raise(abort, '${REFUSAL}'); end`,
      )
      .execute(handle.db);
    return;
  }
  await sql
    .raw(
      `create function refuse_outbox_failure() returns trigger language plpgsql as
         $$ begin raise exception '${REFUSAL}'; end $$;
       create trigger refuse_outbox_failure before update on outbox for each row
         when (old.status = 'sending' and new.status in ('pending', 'failed'))
         execute function refuse_outbox_failure()`,
    )
    .execute(handle.db);
}

async function allowFailureRecords(handle: DatabaseHandle): Promise<void> {
  await sql
    .raw('drop trigger refuse_outbox_failure' + (handle.dialect === 'postgres' ? ' on outbox' : ''))
    .execute(handle.db);
}

describe.each(DIALECTS)('a store error on the outbox failure path, on %s', (dialect) => {
  let server: TestServer;
  let handle: DatabaseHandle;
  const logs: string[] = [];
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeEach(async () => {
    logs.length = 0;
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
    // Nothing listens on this port: every send fails at once, as retryable.
    const closedPort = await freePort();
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    server = await startTestServer(dialect, {
      env: { LATCHKEY_SMTP_URL: `smtp://127.0.0.1:${closedPort}` },
      logDestination: sink,
    });
    handle = openDatabase(server.db.target);
  });
  afterEach(async () => {
    process.off('unhandledRejection', onUnhandled);
    await handle.close();
    await server.close();
  });

  it('is logged, never escapes the worker, and the message is tried again when its lease runs out', async () => {
    const link = await createTestLink(server, { email: 'ada@example.com', send: true });
    await refuseFailureRecords(handle);
    const stop = startDelivery(server.ctx, { pollMs: 20 });
    try {
      await eventually('the failed record to be logged', async () =>
        logs.find((line) => line.includes('delivering a message failed') && line.includes(REFUSAL)),
      );
      // The message is still leased to the worker that could not record it: nothing was lost or half-written.
      const leased = await handle.db
        .selectFrom('outbox')
        .selectAll()
        .where('link_id', '=', link.id)
        .execute();
      expect(leased).toMatchObject([{ status: 'sending', attempts: 1, last_error: null }]);

      await allowFailureRecords(handle);
      server.advance(server.ctx.config.delivery.leaseMs + 1_000);
      const retried = await eventually('the message to be tried again and its failure recorded', async () => {
        const [row] = await handle.db
          .selectFrom('outbox')
          .selectAll()
          .where('link_id', '=', link.id)
          .execute();
        return row && row.status === 'pending' ? row : undefined;
      });
      expect(Number(retried.attempts)).toBe(2);
      expect(retried.last_error).toMatch(/127\.0\.0\.1/);
    } finally {
      await stop();
    }
    expect(unhandled).toEqual([]);
  });
});
