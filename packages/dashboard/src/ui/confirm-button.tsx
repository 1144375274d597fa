import { useMutation } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { FormError } from '../forms/form-error.js';
import { Dialog } from './dialog.js';

interface ConfirmButtonProps {
  /** The button's text, and the confirm button's in the dialog ("Revoke"). */
  label: string;
  /** The dialog's title ("Revoke this link?"). */
  title: string;
  /** What will happen, said plainly; shown in the dialog. */
  children: ReactNode;
  onConfirm: () => Promise<unknown>;
  /** Called once the change succeeded and the dialog closed. */
  onDone?: () => void;
  danger?: boolean;
  disabled?: boolean;
}

/**
 * A button for a change that cannot be undone: it asks first, in a dialog that says what will happen. The
 * server's error, if the change fails, shows in the dialog, which stays open.
 */
export function ConfirmButton({
  label,
  title,
  children,
  onConfirm,
  onDone,
  danger = true,
  disabled = false,
}: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const change = useMutation({
    mutationFn: onConfirm,
    onSuccess: () => {
      setOpen(false);
      onDone?.();
    },
  });
  return (
    <>
      <button
        type="button"
        className={danger ? 'danger' : undefined}
        disabled={disabled}
        onClick={() => {
          change.reset();
          setOpen(true);
        }}
      >
        {label}
      </button>
      <Dialog open={open} title={title} onClose={() => setOpen(false)}>
        <div>{children}</div>
        <FormError message={change.error?.message} />
        <div className="dialog-actions">
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button
            type="button"
            className={danger ? 'danger primary' : 'primary'}
            disabled={change.isPending}
            onClick={() => change.mutate()}
          >
            {change.isPending ? 'Working…' : label}
          </button>
        </div>
      </Dialog>
    </>
  );
}
