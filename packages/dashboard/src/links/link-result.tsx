import { useEffect, useRef } from 'react';
import { Link as RouteLink } from 'wouter';
import { FormError } from '../forms/form-error.js';
import { LocalTime } from '../local-time.js';
import { useAppQuery } from '../ui/app-query.js';
import { CopyButton } from '../ui/copy-button.js';
import type { Channel, CreatedLink } from './link-types.js';
import { QrCode } from './qr-code.js';

interface LinkResultProps {
  link: CreatedLink;
  sent: boolean;
  channel: Channel;
  language: string;
  onAnother: () => void;
}

/**
 * A new link: its URL (shown this once: only its hash is stored), a QR code of it, and when it was sent, the
 * message as the template renders it. The focus moves to the heading, so keyboard and screen-reader users land
 * on the answer.
 */
export function LinkResult({ link, sent, channel, language, onAnother }: LinkResultProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="link-result">
      <h2 ref={heading} tabIndex={-1}>
        {sent ? `Link created and sent to ${link.identifier}` : `Link created for ${link.identifier}`}
      </h2>
      <p className="muted">
        This is the only time the link's address is shown: Latchkey keeps only a fingerprint of it. It expires{' '}
        <LocalTime value={link.expires_at} />.
      </p>
      <div className="link-url">
        <label htmlFor="new-link-url">The link</label>
        <div className="link-url-row">
          <input id="new-link-url" readOnly value={link.url} onFocus={(event) => event.target.select()} />
          <CopyButton text={link.url} label="Copy link" />
        </div>
      </div>
      <div className="link-result-body">
        <figure className="qr">
          <QrCode url={link.url} label={`QR code of the link for ${link.identifier}`} />
          <figcaption>Scan to open the link on a phone.</figcaption>
        </figure>
        {sent && <MessagePreview type={link.type} channel={channel} language={language} />}
      </div>
      <div className="form-actions">
        <RouteLink href={`/${link.id}`}>Follow this link</RouteLink>
        <button type="button" onClick={onAnother}>
          Make another link
        </button>
      </div>
    </div>
  );
}

interface Rendered {
  subject: string;
  text: string;
  html: string;
  sms: string;
}

/** The message the link went out in, rendered by the server from the app's template (with a sample link in it). */
function MessagePreview({ type, channel, language }: { type: string; channel: Channel; language: string }) {
  const preview = useAppQuery(['templates', 'preview', type, language, channel], (api, app) =>
    api.v1<Rendered>('POST', '/templates/preview', {
      app,
      body: { type, language, identifier_kind: channel },
    }),
  );
  return (
    <section className="message-preview" aria-labelledby="message-preview-title">
      <h3 id="message-preview-title">The message it was sent in</h3>
      <p className="muted">
        The app's template with sample data: the real message names this person and carries this link.
      </p>
      <FormError message={preview.error?.message} />
      {preview.data &&
        (channel === 'email' ? (
          <>
            <p>
              <strong>Subject:</strong> {preview.data.subject}
            </p>
            <pre className="message-text">{preview.data.text}</pre>
          </>
        ) : (
          <pre className="message-text">{preview.data.sms}</pre>
        ))}
    </section>
  );
}
