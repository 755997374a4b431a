import type { Timestamp } from "@bufbuild/protobuf/wkt";
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { formatTime } from "../time.js";
import { Dialog } from "./dialog.js";

export interface TokenDialogProps {
  token: string;
  expiresAt: Timestamp | undefined;
  onClose: () => void;
  /** The button that started the flow (New, Regenerate), which gets the focus back. */
  returnFocus?: HTMLElement | null | undefined;
  /** What else to say (a rotation's overlap). */
  children?: ComponentChildren;
}

/**
 * The only moment the SCIM token is visible: the service stores just its hash. Closing the
 * dialog drops it from memory; there is no way back to it.
 */
export function TokenDialog({ token, expiresAt, onClose, returnFocus, children }: TokenDialogProps) {
  const [copied, setCopied] = useState<"yes" | "failed">();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <Dialog name="token" title="Your new SCIM token" onClose={onClose} returnFocus={returnFocus}>
      <p class="warning" role="note">
        Copy this token now and paste it into your identity provider. It cannot be shown again: if you lose it, regenerate a
        new one.
      </p>
      <label for="one-time-token">SCIM bearer token</label>
      <div class="token-row">
        <input id="one-time-token" class="token" readOnly value={token} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="primary" autofocus onClick={copy}>
          Copy
        </button>
      </div>
      <p class="status" aria-live="polite">
        {copied === "yes" && "Copied to the clipboard."}
        {copied === "failed" && "The browser refused clipboard access: select the token and copy it by hand."}
      </p>
      <p>Expires {formatTime(expiresAt)}.</p>
      {children}
      <div class="buttons">
        <button type="button" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
