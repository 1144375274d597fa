import { Link as RouteLink } from 'wouter';
import { LocalTime } from '../local-time.js';
import { LinkStatus } from './link-status.js';
import { channelLabel, isOutstanding, type Link, typeLabel } from './link-types.js';

interface LinkTableProps {
  links: Link[];
  caption: string;
  /** Where a link's page is, from the screen showing the table (`/links/…` from another screen). */
  hrefOf: (link: Link) => string;
  /** With selection: the ids chosen, and what to do when the operator changes them. */
  selected?: ReadonlySet<string>;
  onSelect?: (ids: ReadonlySet<string>) => void;
}

/**
 * Links as a table: who it went to (the link to its page), type, channel, status and times. With `onSelect`, a
 * checkbox in front of every link that can still be revoked, and one for all of them on the page.
 */
export function LinkTable({ links, caption, hrefOf, selected, onSelect }: LinkTableProps) {
  const selectable = links.filter((link) => isOutstanding(link.status));
  const allChosen = selectable.length > 0 && selectable.every((link) => selected?.has(link.id));
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    onSelect?.(next);
  };
  return (
    <div className="table-wrap">
      <table className="link-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {onSelect && (
              <th scope="col">
                <input
                  type="checkbox"
                  aria-label="Choose every link on this page that can be revoked"
                  checked={allChosen}
                  disabled={selectable.length === 0}
                  onChange={(event) =>
                    onSelect(new Set(event.target.checked ? selectable.map((link) => link.id) : []))
                  }
                />
              </th>
            )}
            <th scope="col">Sent to</th>
            <th scope="col">Status</th>
            <th scope="col">Type</th>
            <th scope="col">Channel</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {links.map((link) => (
            <tr key={link.id}>
              {onSelect && (
                <td>
                  {isOutstanding(link.status) && (
                    <input
                      type="checkbox"
                      aria-label={`Choose the link to ${link.identifier}, created ${new Date(link.created_at).toLocaleString()}`}
                      checked={selected?.has(link.id) ?? false}
                      onChange={(event) => toggle(link.id, event.target.checked)}
                    />
                  )}
                </td>
              )}
              <th scope="row">
                <RouteLink href={hrefOf(link)}>{link.identifier}</RouteLink>
              </th>
              {/* The status next to the address: on a narrow screen, the two that show before scrolling. */}
              <td>
                <LinkStatus status={link.status} />
              </td>
              <td>{typeLabel(link.type)}</td>
              <td>{channelLabel(link.channel)}</td>
              <td>
                <LocalTime value={link.created_at} />
              </td>
              <td>
                <LocalTime value={link.expires_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
