import { useState } from 'react';
import { Link as RouteLink } from 'wouter';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { SelectField } from '../forms/select-field.js';
import type { Channel, CreatedLink } from '../links/link-types.js';
import { LocalTime } from '../local-time.js';
import { useAppMutation } from '../ui/app-query.js';
import { screenHref } from '../ui/screen-href.js';
import type { User } from './user-types.js';

/**
 * A sign-in link sent to the user now (POST /v1/magic-links with user_id and send: true), on the channel chosen
 * among those the user has; the answer says where it went and leads to the link's page.
 */
export function SendSignInLink({ user }: { user: User }) {
  const channels: Array<{ value: Channel; label: string }> = [
    ...(user.email ? [{ value: 'email' as const, label: `Email to ${user.email}` }] : []),
    ...(user.phone ? [{ value: 'phone' as const, label: `SMS to ${user.phone}` }] : []),
  ];
  const [channel, setChannel] = useState<Channel>(channels[0]?.value ?? 'email');
  const send = useAppMutation(
    (api, app, body: Record<string, unknown>) =>
      api.v1<{ magic_link: CreatedLink }>('POST', '/magic-links', { app, body }),
    { invalidates: [['links'], ['events', user.id]] },
  );
  const errors = formErrorsOf(send.error, ['channel']);
  if (channels.length === 0) return null;
  const sent = send.data?.magic_link;
  return (
    <section className="send-link" aria-labelledby="send-link-title">
      <h2 id="send-link-title">Send a sign-in link</h2>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          send.mutate({ user_id: user.id, channel, type: 'login', send: true });
        }}
      >
        <SelectField
          label="Send by"
          value={channel}
          onChange={(event) => {
            send.reset();
            setChannel(event.target.value as Channel);
          }}
          options={channels}
          error={errors.fields.channel}
        />
        <button type="submit" className="primary" disabled={send.isPending}>
          {send.isPending ? 'Sending…' : 'Send sign-in link'}
        </button>
      </form>
      <FormError message={errors.form} />
      {sent && (
        <p role="status" className="sent-note">
          Sent to {sent.identifier}; it expires <LocalTime value={sent.expires_at} />.{' '}
          <RouteLink href={screenHref(`/links/${sent.id}`)}>Follow the link</RouteLink>
        </p>
      )}
    </section>
  );
}
