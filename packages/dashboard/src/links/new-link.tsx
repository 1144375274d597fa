import { useState } from 'react';
import { Link as RouteLink } from 'wouter';
import { CheckboxField } from '../forms/checkbox-field.js';
import { FormError } from '../forms/form-error.js';
import { formErrorsOf } from '../forms/form-errors.js';
import { SelectField } from '../forms/select-field.js';
import { TextField } from '../forms/text-field.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useAppMutation, useAppQuery } from '../ui/app-query.js';
import { screenHref } from '../ui/screen-href.js';
import { lengthInWords } from './link-length.js';
import { LinkResult } from './link-result.js';
import {
  type AppSettings,
  type Channel,
  type CreatedLink,
  LANGUAGES,
  LINK_TYPES,
  type LinkType,
} from './link-types.js';

/** The lengths offered, in minutes; those above the app's maximum are left out, and the maximum itself offered. */
const TTL_CHOICES = [15, 60, 24 * 60, 7 * 24 * 60, 30 * 24 * 60];

interface Draft {
  identifier: string;
  channel: Channel;
  type: LinkType;
  language: string;
  redirect_url: string;
  ttl: string;
  send: boolean;
}

const FIELDS = ['email', 'phone', 'user_id', 'channel', 'type', 'language', 'redirect_url', 'ttl', 'send'];

/** `/links/new`: one link for one address, sent or only shown; the answer is the only time its URL is seen. */
export function NewLink() {
  const app = useAppQuery(['app-settings'], (api, id) => api.v1<AppSettings>('GET', `/apps/${id}`));
  return (
    <section className="screen links-screen" aria-labelledby="screen-title">
      <p className="breadcrumb">
        <RouteLink href="/">Links</RouteLink>
      </p>
      <ScreenTitle>New link</ScreenTitle>
      <FormError message={app.error?.message} />
      {app.isPending && <p role="status">Loading…</p>}
      {app.data && <NewLinkForm settings={app.data} />}
    </section>
  );
}

function NewLinkForm({ settings }: { settings: AppSettings }) {
  const [draft, setDraft] = useState<Draft>({
    identifier: '',
    channel: 'email',
    type: 'login',
    language: settings.default_language,
    // With no default, the first allowed target is chosen, as the list shows it first.
    redirect_url: settings.default_redirect_url === null ? (settings.allowed_redirects[0] ?? '') : '',
    ttl: '',
    send: true,
  });
  const [channelChosen, setChannelChosen] = useState(false);
  const create = useAppMutation(
    (api, app, body: Record<string, unknown>) =>
      api.v1<{ magic_link: CreatedLink }>('POST', '/magic-links', { app, body }),
    { invalidates: [['links'], ['users']] },
  );
  const errors = formErrorsOf(create.error, FIELDS);
  const identifierError = errors.fields.email ?? errors.fields.phone ?? errors.fields.user_id;

  if (create.data) {
    return (
      <LinkResult
        link={create.data.magic_link}
        sent={draft.send}
        channel={draft.channel}
        language={draft.language}
        onAnother={() => create.reset()}
      />
    );
  }

  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => setDraft((d) => ({ ...d, [name]: value }));
  const ttlChoices = [...TTL_CHOICES.filter((m) => m < settings.max_ttl_minutes), settings.max_ttl_minutes];
  const defaultTtl = settings.ttl_minutes[draft.type];
  const noRedirect = settings.default_redirect_url === null && settings.allowed_redirects.length === 0;

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const identifier = draft.identifier.trim();
    create.mutate({
      [draft.channel === 'email' ? 'email' : 'phone']: identifier,
      channel: draft.channel,
      type: draft.type,
      language: draft.language,
      ...(draft.redirect_url ? { redirect_url: draft.redirect_url } : {}),
      ...(draft.ttl ? { ttl: Number(draft.ttl) } : {}),
      send: draft.send,
    });
  }

  return (
    <form className="form new-link-form" onSubmit={submit} noValidate>
      <FormError message={errors.form} />
      <TextField
        label="Email address or phone number"
        hint="A phone number in international form, such as +14155550123."
        value={draft.identifier}
        onChange={(event) => {
          const value = event.target.value;
          set('identifier', value);
          // A number typed with its + is surely a phone; the operator's own choice of channel always wins.
          if (!channelChosen) set('channel', /^\s*\+/.test(value) ? 'phone' : 'email');
        }}
        error={identifierError}
        autoComplete="off"
        spellCheck={false}
        required
      />
      <SelectField
        label="Channel"
        value={draft.channel}
        onChange={(event) => {
          setChannelChosen(true);
          set('channel', event.target.value as Channel);
        }}
        options={[
          { value: 'email', label: 'Email' },
          { value: 'phone', label: 'SMS' },
        ]}
        error={errors.fields.channel}
      />
      <SelectField
        label="Type"
        value={draft.type}
        onChange={(event) => set('type', event.target.value as LinkType)}
        options={LINK_TYPES}
        error={errors.fields.type}
      />
      <SelectField
        label="Language"
        hint="Of the message and the page the link opens."
        value={draft.language}
        onChange={(event) => set('language', event.target.value)}
        options={LANGUAGES}
        error={errors.fields.language}
      />
      {noRedirect ? (
        <p className="field-error">
          This app has no allowed redirects, so a link could not send anyone anywhere after sign-in. Add one
          in <RouteLink href={screenHref('/settings')}>Settings</RouteLink>.
        </p>
      ) : (
        <SelectField
          label="After sign-in, go to"
          hint="The app's allowed redirects."
          value={draft.redirect_url}
          onChange={(event) => set('redirect_url', event.target.value)}
          options={[
            ...(settings.default_redirect_url === null
              ? []
              : [{ value: '', label: `The app's default (${settings.default_redirect_url})` }]),
            ...settings.allowed_redirects
              .filter(
                (url) => url !== settings.default_redirect_url || settings.default_redirect_url === null,
              )
              .map((url) => ({ value: url, label: url })),
          ]}
          error={errors.fields.redirect_url}
        />
      )}
      <SelectField
        label="Expires after"
        hint={`At most ${lengthInWords(settings.max_ttl_minutes)} in this app.`}
        value={draft.ttl}
        onChange={(event) => set('ttl', event.target.value)}
        options={[
          { value: '', label: `The default for this type (${lengthInWords(defaultTtl)})` },
          ...ttlChoices.map((minutes) => ({ value: String(minutes), label: lengthInWords(minutes) })),
        ]}
        error={errors.fields.ttl}
      />
      <CheckboxField
        label="Send it now"
        hint="Unticked, the link is only shown here, for you to hand over yourself."
        checked={draft.send}
        onChange={(event) => set('send', event.target.checked)}
        error={errors.fields.send}
      />
      <div className="form-actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : draft.send ? 'Create and send' : 'Create link'}
        </button>
      </div>
    </form>
  );
}
