import { FormError } from '../forms/form-error.js';
import { LinkTable } from '../links/link-table.js';
import type { Link } from '../links/link-types.js';
import { useAppQuery } from '../ui/app-query.js';
import { type Page, Pager, useCursor } from '../ui/pager.js';
import { screenHref } from '../ui/screen-href.js';

/** The user's links, newest first (GET /v1/magic-links?user_id=), each leading to its page under Links. */
export function UserLinks({ userId }: { userId: string }) {
  const pages = useCursor();
  const links = useAppQuery(
    ['links', 'list', { user_id: userId }, pages.cursor],
    (api, app) =>
      api.v1<Page<Link>>('GET', '/magic-links', {
        app,
        query: { user_id: userId, limit: 10, cursor: pages.cursor },
      }),
    { placeholderData: (previous) => previous },
  );
  return (
    <section aria-labelledby="user-links-title">
      <h2 id="user-links-title">Links</h2>
      <FormError message={links.error?.message} />
      {links.data &&
        (links.data.data.length === 0 ? (
          <p className="empty-state">No links yet: send one above.</p>
        ) : (
          <>
            <LinkTable
              links={links.data.data}
              caption="The user's links"
              hrefOf={(link) => screenHref(`/links/${link.id}`)}
            />
            <Pager
              label="The user's links"
              page={pages.page}
              nextCursor={links.data.next_cursor}
              onNext={pages.next}
              onPrevious={pages.previous}
            />
          </>
        ))}
    </section>
  );
}
