import { Link } from 'wouter';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { Pager, useCursor } from '../ui/pager.js';
import { CreateEndpoint } from './create-endpoint.js';
import { EndpointStatusBadge, eventTypesText } from './endpoint-status.js';
import { useEndpoints } from './webhook-hooks.js';

export function EndpointList() {
  const pages = useCursor();
  const endpoints = useEndpoints(pages.cursor);
  const { operator } = useSignedIn();
  const mayChange = operator.role === 'owner' || operator.role === 'admin';
  return (
    <>
      <ScreenTitle>Webhooks</ScreenTitle>
      <div className="toolbar">
        <p className="muted">
          Latchkey POSTs each event of the app to these URLs, signed with the endpoint's secret, and retries
          for about three days.
        </p>
        {mayChange && <CreateEndpoint />}
      </div>
      {endpoints.isPending && <p role="status">Loading…</p>}
      <FormError message={endpoints.error?.message} />
      {endpoints.data && endpoints.data.data.length === 0 && (
        <div className="empty-state">
          <p>
            <strong>No webhook endpoint yet.</strong>
          </p>
          <p>
            {mayChange
              ? 'Add one with “Add endpoint”: give the URL of your receiver and choose the events it should get.'
              : 'An admin or owner can add one, or use POST /v1/webhook-endpoints.'}{' '}
            Receivers check each delivery's signature with the SDK's <code>verifyWebhook</code>.
          </p>
        </div>
      )}
      {endpoints.data && endpoints.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="id-table" aria-label="Webhook endpoints">
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Status</th>
                <th scope="col">Events</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.data.map((endpoint) => (
                <tr key={endpoint.id}>
                  <th scope="row" className="url-cell">
                    <Link href={`/${endpoint.id}`}>{endpoint.url}</Link>
                    {endpoint.description && <span className="muted cell-note">{endpoint.description}</span>}
                  </th>
                  <td>
                    <EndpointStatusBadge endpoint={endpoint} />
                  </td>
                  <td className="types-cell">{eventTypesText(endpoint.event_types)}</td>
                  <td>
                    <LocalTime value={endpoint.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Endpoints"
        page={pages.page}
        nextCursor={endpoints.data?.next_cursor}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </>
  );
}
