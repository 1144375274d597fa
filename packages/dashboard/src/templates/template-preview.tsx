import type { ApiError } from '../api.js';
import { formatCount } from '../format.js';
import { PreviewFrame } from './preview-frame.js';
import { smsSegments } from './sms-segments.js';
import { PART_LABELS, type TemplatePart, type TemplateParts } from './template-types.js';

/** The draft as it will read, filled in with sample data by the server's own renderer. */
export function TemplatePreview({
  preview,
  stale,
  error,
}: {
  preview: TemplateParts | undefined;
  stale: boolean;
  error: ApiError | undefined;
}) {
  return (
    <section className="template-preview" aria-labelledby="preview-title" aria-busy={stale}>
      <h2 id="preview-title">Preview</h2>
      {error && (
        <p className="field-error">
          {error.param && error.param in PART_LABELS
            ? `The ${PART_LABELS[error.param as TemplatePart].toLowerCase()} has an error, said under its field.`
            : error.message}{' '}
          This is the last version without one.
        </p>
      )}
      {!preview ? (
        <p role="status">Rendering…</p>
      ) : (
        <>
          <p className="preview-subject">
            <span className="muted">Subject:</span> {preview.subject}
          </p>
          <PreviewFrame html={preview.html} title="The email as HTML" />
          <details>
            <summary>Plain text</summary>
            <pre className="preview-text">{preview.text}</pre>
          </details>
          <SmsPreview sms={preview.sms} />
        </>
      )}
    </section>
  );
}

function SmsPreview({ sms }: { sms: string }) {
  const count = smsSegments(sms);
  return (
    <div className="preview-sms">
      <h3>SMS</h3>
      <p className="sms-bubble">{sms}</p>
      <p className="muted" data-testid="sms-segments">
        {count.segments === 1 ? '1 message' : `${count.segments} messages`} ({count.encoding}:{' '}
        {formatCount(count.length)} characters, {count.perSegment} per message). The sample link is as long as
        a real one.
        {count.encoding === 'UCS-2' &&
          ' One character outside the GSM alphabet sends the whole SMS as UCS-2, 70 characters a message instead of 160.'}
      </p>
    </div>
  );
}
