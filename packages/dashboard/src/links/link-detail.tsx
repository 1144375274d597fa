import { useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link as RouteLink, useLocation } from 'wouter';
import { useApi } from '../api-context.js';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { ScreenTitle } from '../screens/screen-title.js';
import { useSignedIn } from '../session-hooks.js';
import { appKey, useAppId, useAppQuery } from '../ui/app-query.js';
import { ConfirmButton } from '../ui/confirm-button.js';
import { screenHref } from '../ui/screen-href.js';
import { LinkStatus } from './link-status.js';
import { LinkTimeline } from './link-timeline.js';
import {
  type CreatedLink,
  channelLabel,
  isOutstanding,
  LANGUAGES,
  type LinkDetail,
  typeLabel,
} from './link-types.js';
import { PreciseTime } from './precise-time.js';

/** `/links/:id`: what happened to one link, from creation to the session it opened, with resend and revoke. */
export function LinkDetailScreen({ id }: { id: string }) {
  const detail = useAppQuery(['links', 'detail', id], (api, app) =>
    api.v1<LinkDetail>('GET', `/magic-links/${id}`, { app }),
  );
  const link = detail.data;
  return (
    <section className="screen links-screen" aria-labelledby="screen-title">
      <p className="breadcrumb">
        <RouteLink href="/">Links</RouteLink>
      </p>
      <ScreenTitle>{link ? `Link to ${link.identifier}` : 'Link'}</ScreenTitle>
      <FormError message={detail.error?.message} />
      {detail.isPending && <p role="status">Loading…</p>}
      {link && <LinkStory link={link} />}
    </section>
  );
}

function LinkStory({ link }: { link: LinkDetail }) {
  const { operator } = useSignedIn();
  return (
    <>
      <div className="screen-head">
        <LinkStatus status={link.status} />
        {operator.role !== 'viewer' && isOutstanding(link.status) && <LinkActions link={link} />}
      </div>
      <dl className="facts">
        <Fact name="Sent to">
          <RouteLink href={screenHref(`/users/${link.user_id}`)}>{link.identifier}</RouteLink>
        </Fact>
        <Fact name="Type">{typeLabel(link.type)}</Fact>
        <Fact name="Channel">{channelLabel(link.channel)}</Fact>
        <Fact name="Language">
          {LANGUAGES.find((l) => l.value === link.language)?.label ?? 'the app’s default'}
        </Fact>
        <Fact name="After sign-in">{link.redirect_url ?? link.magic_link_path ?? '—'}</Fact>
        <Fact name="Created">
          <LocalTime value={link.created_at} />
        </Fact>
        <Fact name="Expires">
          <LocalTime value={link.expires_at} />
        </Fact>
        {link.campaign_id && (
          <Fact name="Campaign">
            <RouteLink href={screenHref(`/campaigns/${link.campaign_id}`)}>{link.campaign_id}</RouteLink>
          </Fact>
        )}
        <Fact name="Id">
          <code>{link.id}</code>
        </Fact>
      </dl>
      <h2>Timeline</h2>
      <LinkTimeline link={link} />
      {link.visits.length > 0 && <Visits link={link} />}
    </>
  );
}

function Fact({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/**
 * Resend and revoke. A token is stored only as its hash, so "resend" makes a new link like this one, sends it and
 * revokes this one (POST /v1/magic-links/{id}/resend); the page then shows the new link.
 */
function LinkActions({ link }: { link: LinkDetail }) {
  const api = useApi();
  const app = useAppId();
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const refresh = () => client.invalidateQueries({ queryKey: appKey(app, 'links') });
  return (
    <div className="actions">
      <ConfirmButton
        label="Resend"
        title="Send this link again?"
        danger={false}
        onConfirm={async () => {
          const { magic_link } = await api.v1<{ magic_link: CreatedLink }>(
            'POST',
            `/magic-links/${link.id}/resend`,
            { app },
          );
          await refresh();
          navigate(`/${magic_link.id}`);
        }}
      >
        <p>
          A new link like this one is sent to {link.identifier}, valid for as long as this one was, and this
          one is revoked. (Links are kept only as fingerprints, so the same one cannot be sent twice.)
        </p>
      </ConfirmButton>
      <ConfirmButton
        label="Revoke"
        title="Revoke this link?"
        onConfirm={() => api.v1('POST', `/magic-links/${link.id}/revoke`, { app })}
        onDone={refresh}
      >
        <p>The link stops working at once; whoever opens it is told it was revoked.</p>
      </ConfirmButton>
    </div>
  );
}

function Visits({ link }: { link: LinkDetail }) {
  return (
    <>
      <h2>Visits</h2>
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">Requests for the link's page, newest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Request</th>
              <th scope="col">Who</th>
              <th scope="col">Why</th>
              <th scope="col">Browser</th>
            </tr>
          </thead>
          <tbody>
            {link.visits.map((visit) => (
              <tr key={visit.id}>
                <td>
                  <PreciseTime value={visit.at} />
                </td>
                <td>{visit.method}</td>
                <td>{visit.verdict === 'person' ? 'A person' : 'Likely a scanner'}</td>
                <td>{visit.reason}</td>
                <td className="user-agent">{visit.user_agent ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
