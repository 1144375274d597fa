/**
 * Dry runs of bulk creation (`?dry_run=true`): the rows are read, validated and planned exactly as a real run does
 * them, and the answer says what each row would create or why it would fail. Nothing is written.
 */
import { getAppOrThrow } from '../../apps/app-service.js';
import type { LinkContext } from '../link-store.js';
import {
  BULK_BATCH_ROWS,
  type BulkOptions,
  type DryRunResult,
  type InputRow,
  type PlanScope,
  planRows,
} from './bulk-service.js';

/**
 * A dry run: every row validated and planned exactly as `createRows` would (same checks, same errors, same `param`),
 * and nothing written: no user, link, message, event or campaign. New users planned by earlier rows are remembered
 * for the whole run, as a real run finds them written by its earlier batches.
 */
export async function* dryRunRows(
  ctx: LinkContext,
  appId: string,
  rows: InputRow[],
  options: Pick<BulkOptions, 'send'> = {},
): AsyncGenerator<DryRunResult> {
  const { settings } = await getAppOrThrow(ctx, appId);
  const scope: PlanScope = { settings, plannedUsers: new Map(), options };
  const newUsers = new Set<string>();
  for (let start = 0; start < rows.length; start += BULK_BATCH_ROWS) {
    const end = Math.min(rows.length, start + BULK_BATCH_ROWS);
    for (const p of await planRows(ctx, appId, rows, start, end, scope)) {
      if ('error' in p) {
        yield p;
        continue;
      }
      const { link, newUser, message } = p.plan;
      if (newUser) newUsers.add(newUser.id);
      const isNew = newUsers.has(link.user_id);
      yield {
        row: p.row,
        would_create: {
          user_id: isNew ? null : link.user_id,
          new_user: isNew,
          identifier: link.identifier,
          type: link.type,
          channel: link.channel,
          send: message !== undefined,
          redirect_url: link.redirect_url,
          magic_link_path: link.magic_link_path,
          ttl: link.ttl_minutes,
        },
      };
    }
  }
}
