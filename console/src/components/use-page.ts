import { useEffect, useState } from "preact/hooks";
import { describeError } from "../errors.js";

export interface PageResult<T> {
  items: T[];
  nextToken: string;
}

/** Loads one page whenever `deps` change; a load that finishes after a newer one is dropped. */
export function usePage<R extends PageResult<unknown>>(load: () => Promise<R>, deps: unknown[]) {
  const [state, setState] = useState<{ result?: R; error?: string; loading: boolean }>({ loading: true });
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (result) => current && setState({ result, loading: false }),
      (err: unknown) => current && setState({ error: describeError(err).message, loading: false }),
    );
    return () => {
      current = false;
    };
  }, deps);
  return state;
}
