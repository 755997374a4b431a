import { useState } from "preact/hooks";

/** A Copy button for a value shown next to it, saying whether the clipboard took it. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<"copied" | "failed">();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span class="status" aria-live="polite">
        {state === "copied" && "Copied."}
        {state === "failed" && "The browser refused clipboard access: select the text and copy it by hand."}
      </span>
    </>
  );
}
