import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { describeError } from "../errors.js";
import { Dialog } from "./dialog.js";
import { FormError } from "./field.js";

export interface ConfirmDialogProps {
  name: string;
  title: string;
  confirmLabel: string;
  children: ComponentChildren;
  /** Runs the action; its error is shown in the dialog, which then stays open. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
}

/** A destructive action behind a question. Cancel has the focus, so a stray Enter does nothing harmful. */
export function ConfirmDialog({ name, title, confirmLabel, children, onConfirm, onClose }: ConfirmDialogProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const confirm = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
    } catch (err) {
      setError(describeError(err).message);
      setBusy(false);
    }
  };
  return (
    <Dialog name={name} title={title} onClose={onClose}>
      <form onSubmit={confirm}>
        {children}
        <FormError message={error} />
        <div class="buttons">
          <button type="button" autofocus onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={busy}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
