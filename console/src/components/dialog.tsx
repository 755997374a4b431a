import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";

export interface DialogProps {
  title: string;
  /** Escape, the close button and Cancel all call this. */
  onClose: () => void;
  children: ComponentChildren;
  /** A test and styling hook. */
  name: string;
  /**
   * Where focus goes on close when the element focused at open is not the right place, e.g. the
   * token dialog that follows the create dialog (whose button is gone by then).
   */
  returnFocus?: HTMLElement | null | undefined;
}

/**
 * A modal built on <dialog>: showModal() makes the rest of the page inert, keeps Tab inside the
 * dialog and turns Escape into a "cancel" event. Focus goes back to the element that opened it
 * (or to the main heading when that element is gone, e.g. the row of a deleted configuration).
 */
export function Dialog({ title, onClose, children, name, returnFocus }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = `dialog-title-${name}`;
  useEffect(() => {
    const dialog = ref.current!;
    const opener = returnFocus ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    dialog.showModal();
    return () => {
      if (dialog.open) dialog.close();
      setTimeout(() => {
        const target = opener?.isConnected ? opener : document.getElementById("main-heading");
        target?.focus();
      }, 0);
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      data-dialog={name}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}
