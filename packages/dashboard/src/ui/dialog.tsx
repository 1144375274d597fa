import { type ReactNode, useEffect, useId, useRef } from 'react';

interface DialogProps {
  open: boolean;
  title: string;
  /** Escape, the backdrop's close, or a Cancel button: the dialog is closed and the caller told. */
  onClose: () => void;
  children: ReactNode;
  /** Wider, for a preview or a table. */
  wide?: boolean;
}

/**
 * A modal native <dialog>: the browser traps the focus, Escape closes it, and the page behind cannot be reached. It
 * opens with the focus on its first control (or one marked `autoFocus`) and gives it back to where it was.
 */
export function Dialog({ open, title, onClose, children, wide = false }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className={wide ? 'wide' : undefined}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}
