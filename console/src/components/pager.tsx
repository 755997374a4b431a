import { useState } from "preact/hooks";

/** Cursor paging: the service hands out a nextToken; going back replays the earlier tokens. */
export function usePager() {
  const [tokens, setTokens] = useState<string[]>([""]);
  const current = tokens[tokens.length - 1]!;
  return {
    token: current,
    page: tokens.length,
    next: (nextToken: string) => setTokens([...tokens, nextToken]),
    previous: () => setTokens(tokens.length > 1 ? tokens.slice(0, -1) : tokens),
    reset: () => setTokens([""]),
  };
}

export interface PagerProps {
  label: string;
  page: number;
  nextToken: string;
  onNext: () => void;
  onPrevious: () => void;
}

export function Pager({ label, page, nextToken, onNext, onPrevious }: PagerProps) {
  if (page === 1 && nextToken === "") return null;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={page === 1} onClick={onPrevious}>
        Previous
      </button>
      <span>Page {page}</span>
      <button type="button" disabled={nextToken === ""} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}
