import type { ComponentChildren } from "preact";

export interface FieldProps {
  /** The request field's proto name; server errors naming it are shown here. */
  name: string;
  label: string;
  error?: string | undefined;
  hint?: string;
  /** Makes the control's id unique where a form appears more than once on the page (one per configuration). */
  idSuffix?: string;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby": string | undefined }) => ComponentChildren;
}

/** A labelled control with its hint and its error, wired for screen readers. */
export function Field({ name, label, error, hint, idSuffix, children }: FieldProps) {
  const id = `field-${name}${idSuffix ? `-${idSuffix}` : ""}`;
  const describedBy = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field" data-field={name}>
      <label for={id}>{label}</label>
      {children({ id, "aria-invalid": error !== undefined, "aria-describedby": describedBy })}
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** An error shown where it happened, announced to screen readers (role=alert); nothing without one. */
export function ErrorText({ message, form = false }: { message: string | null | undefined; form?: boolean }) {
  if (!message) return null;
  return (
    <p class={form ? "error form-error" : "error"} role="alert">
      {message}
    </p>
  );
}

/** An error that belongs to no single field (shown above a form's buttons). */
export function FormError({ message }: { message: string | undefined }) {
  return <ErrorText message={message} form />;
}

/**
 * The end of a dialog's form: the error that names no field, then Cancel and the submit button
 * (disabled while the call runs, so a double click cannot send it twice).
 */
export function DialogFormActions({ error, busy, submitLabel, onCancel }: { error: ShownErrorLike | undefined; busy: boolean; submitLabel: string; onCancel: () => void }) {
  return (
    <>
      <FormError message={error?.field === undefined ? error?.message : undefined} />
      <div class="buttons">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </>
  );
}

/** The part of a shown server error that the form footer needs. */
interface ShownErrorLike {
  field?: string | undefined;
  message: string;
}
