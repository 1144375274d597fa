import { Fragment } from 'react';
import type { DeliveryStatus } from '../api.js';
import { FormError } from '../forms/form-error.js';
import { useSignedIn } from '../session-hooks.js';
import { StatusBadge } from '../ui/status-badge.js';
import { useDeliveryStatus, useDeliveryTest } from './delivery-hooks.js';

/**
 * The email and SMS transports as the server sees them (the server masks every secret before it answers), and a
 * button that runs the checks of `latchkey doctor` on them. These belong to the installation, not the app.
 */
export function TransportsPanel() {
  const status = useDeliveryStatus();
  const test = useDeliveryTest();
  const { operator } = useSignedIn();
  const mayTest = operator.role === 'owner' || operator.role === 'admin';
  return (
    <section aria-labelledby="transports-title" className="transports">
      <h2 id="transports-title">Transports</h2>
      <p className="muted">
        How this server sends email and SMS, for every app, as set in its environment (secrets are masked).
      </p>
      {status.isPending && <p role="status">Loading…</p>}
      <FormError message={status.error?.message} />
      {status.data && <TransportFacts status={status.data} />}
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          onClick={() => test.mutate(undefined)}
          disabled={test.isPending || !mayTest}
          aria-describedby={mayTest ? undefined : 'test-connection-role'}
        >
          {test.isPending ? 'Testing…' : 'Test connection'}
        </button>
        {!mayTest && (
          <p id="test-connection-role" className="muted">
            An admin or owner can test the connection.
          </p>
        )}
      </div>
      <FormError message={test.error?.message} />
      {test.data && (
        <div role="status" className="checks">
          <p>
            <strong>{test.data.ok ? 'Every check passed.' : 'A check failed.'}</strong>
          </p>
          <ul>
            {test.data.checks.map((check) => (
              <li key={`${check.channel}-${check.name}`}>
                <StatusBadge status={check.ok ? 'ok' : 'failed'} tone={check.ok ? 'good' : 'bad'} />{' '}
                <strong>{check.name}</strong>: {check.detail}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function TransportFacts({ status }: { status: DeliveryStatus }) {
  return (
    <>
      {status.environment_detail && <p>{status.environment_detail}</p>}
      <div className="transport-cards">
        <Settings title="Email" values={status.email} />
        <Settings title="SMS" values={status.sms} />
        {status.outbox && <Settings title="Outbox" values={status.outbox} />}
      </div>
    </>
  );
}

/** A block of settings as the server answered them; nested objects read as "smtp host", "smtp port". */
function Settings({ title, values }: { title: string; values: Record<string, unknown> }) {
  const rows = flatten(values);
  return (
    <div className="card">
      <h3>{title}</h3>
      <dl className="facts">
        {rows.map(([name, value]) => (
          <Fragment key={name}>
            <dt>{name}</dt>
            <dd>
              <code>{value}</code>
            </dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}

function flatten(values: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  const rows: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(values)) {
    const name = `${prefix}${key.replaceAll('_', ' ')}`;
    // A part that is not set (no DKIM, no Twilio) says nothing worth a row.
    if (value === null || value === undefined) continue;
    if (typeof value === 'object' && !Array.isArray(value))
      rows.push(...flatten(value as Record<string, unknown>, `${name} `));
    else rows.push([name, String(value)]);
  }
  return rows;
}
