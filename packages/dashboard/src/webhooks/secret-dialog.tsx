import { CopyButton } from '../ui/copy-button.js';
import { Dialog } from '../ui/dialog.js';

/**
 * A signing secret, shown this once: the server keeps it sealed and never answers it again. The dialog closes only
 * when the operator says they stored it.
 */
export function SecretDialog({
  secret,
  title,
  note,
  onClose,
}: {
  secret: string | undefined;
  title: string;
  note?: string;
  onClose: () => void;
}) {
  return (
    <Dialog open={secret !== undefined} title={title} onClose={onClose} wide>
      <p>
        <strong>Store this signing secret now: it is not shown again.</strong> Your receiver checks each
        delivery's signature with it (<code>verifyWebhook</code> in the SDK).
      </p>
      {note && <p>{note}</p>}
      <p className="secret">
        <code>{secret}</code>
      </p>
      <CopyButton text={secret ?? ''} label="Copy the secret" />
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={onClose}>
          I stored it
        </button>
      </div>
    </Dialog>
  );
}
