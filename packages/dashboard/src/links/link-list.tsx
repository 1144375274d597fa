import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link as RouteLink } from 'wouter';
import { FormError } from '../forms/form-error.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { appKey, useAppId, useAppMutation, useAppQuery } from '../ui/app-query.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { filterQuery, LinkFilters, type LinkFilterValues, NO_FILTERS } from './link-filters.js';
import { LinkTable } from './link-table.js';
import type { Link } from './link-types.js';
import { useDebounced } from './use-debounced.js';

const PAGE_SIZE = 25;

/** Every link of the app, newest first, narrowed by the filters, with revoking of the chosen ones. */
export function LinkList() {
  const { operator } = useSignedIn();
  const mayChange = operator.role !== 'viewer';
  const [filters, setFilters] = useState<LinkFilterValues>(NO_FILTERS);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const pages = useCursor();
  // Typing in the search waits for a pause; the other filters apply at once.
  const identifier = useDebounced(filters.identifier);
  const query = filterQuery({ ...filters, identifier });
  const links = useAppQuery(
    ['links', 'list', query, pages.cursor],
    (api, app) =>
      api.v1<Page<Link>>('GET', '/magic-links', {
        app,
        query: { ...query, limit: PAGE_SIZE, cursor: pages.cursor },
      }),
    { placeholderData: (previous) => previous },
  );
  const client = useQueryClient();
  const appId = useAppId();
  // The list is read again whatever happened: when some were refused, the others were still revoked.
  const revoke = useAppMutation((api, app, ids: string[]) =>
    revokeAll(ids, (id) => api.v1('POST', `/magic-links/${id}/revoke`, { app })).finally(() =>
      client.invalidateQueries({ queryKey: appKey(appId, 'links') }),
    ),
  );

  const changeFilters = (next: LinkFilterValues) => {
    setFilters(next);
    setSelected(new Set());
    pages.reset();
  };
  const filtered = Object.values(filters).some((value) => value !== '');
  const rows = links.data?.data ?? [];

  return (
    <section className="screen links-screen" aria-labelledby="screen-title">
      <div className="screen-head">
        <ScreenTitle>Links</ScreenTitle>
        {mayChange && (
          <RouteLink href="/new" className="button primary">
            New link
          </RouteLink>
        )}
      </div>
      <LinkFilters values={filters} onChange={changeFilters} />
      {mayChange && (
        <div className="toolbar selection-bar">
          <ConfirmButton
            label={selected.size > 0 ? `Revoke selected (${selected.size})` : 'Revoke selected'}
            title={`Revoke ${selected.size === 1 ? 'this link' : `these ${selected.size} links`}?`}
            disabled={selected.size === 0}
            onConfirm={() => revoke.mutateAsync([...selected])}
            onDone={() => setSelected(new Set())}
          >
            <p>
              {selected.size === 1 ? 'The link stops working' : `The ${selected.size} links stop working`} at
              once; whoever opens one is told it was revoked. Sessions already open are not ended.
            </p>
          </ConfirmButton>
          <p className="muted" aria-live="polite">
            {selected.size === 0 ? 'Choose links in the list to revoke them.' : `${selected.size} chosen.`}
          </p>
        </div>
      )}
      <FormError message={links.error?.message} />
      {links.isPending && <p role="status">Loading…</p>}
      {links.data &&
        (rows.length === 0 ? (
          <div className="empty-state">
            {filtered ? (
              <p>No link matches these filters. Change or clear them to see more.</p>
            ) : (
              <p>
                <strong>No links yet.</strong>{' '}
                {mayChange ? (
                  <>
                    Make one with <RouteLink href="/new">New link</RouteLink>, or{' '}
                  </>
                ) : (
                  'Make one '
                )}
                with <code>POST /v1/magic-links</code> from your backend.
              </p>
            )}
          </div>
        ) : (
          <div aria-busy={links.isFetching}>
            <LinkTable
              links={rows}
              caption="Links, newest first"
              hrefOf={(link) => `/${link.id}`}
              {...(mayChange ? { selected, onSelect: setSelected } : {})}
            />
            <Pager
              label="Links"
              page={pages.page}
              nextCursor={links.data.next_cursor}
              onNext={(cursor) => {
                setSelected(new Set());
                pages.next(cursor);
              }}
              onPrevious={() => {
                setSelected(new Set());
                pages.previous();
              }}
            />
          </div>
        ))}
    </section>
  );
}

/**
 * Revokes each link; the ones the server refuses (used a moment ago, say) are named in one error, after the others
 * were revoked, so the dialog says what is left.
 */
async function revokeAll(ids: string[], revokeOne: (id: string) => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(ids.map((id) => revokeOne(id)));
  const failed = results.flatMap((result, i) =>
    result.status === 'rejected' ? [`${ids[i]}: ${(result.reason as Error).message}`] : [],
  );
  if (failed.length > 0)
    throw new Error(
      `${ids.length - failed.length} of ${ids.length} revoked. Not revoked: ${failed.join(' ')}`,
    );
}
