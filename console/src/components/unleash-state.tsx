import { useEffect, useState } from "preact/hooks";
import type { Session } from "../session.js";
import { fetchScimSettings, type ScimSettings } from "../unleash.js";

/**
 * One line on what Unleash-style clients see. Unleash is single-tenant, so the route answers for
 * the organization's only SCIM configuration; with none or several it says why it cannot.
 */
export function UnleashState({ session, version }: { session: Session; version: number }) {
  const [state, setState] = useState<ScimSettings | { ok: false; status: 0; message: string }>();
  useEffect(() => {
    const abort = new AbortController();
    fetchScimSettings(session, abort.signal).then(setState, (err: unknown) => {
      if (!abort.signal.aborted) setState({ ok: false, status: 0, message: err instanceof Error ? err.message : String(err) });
    });
    return () => abort.abort();
  }, [session, version]);
  if (!state) return null;
  return (
    <p class="unleash" data-unleash={state.ok ? (state.enabled ? "enabled" : "disabled") : "unavailable"}>
      <span class="label">Unleash-style API</span> <code>GET /api/admin/scim-settings</code>:{" "}
      {state.ok ? (
        <>
          SCIM {state.enabled ? "enabled" : "disabled"}, {state.hasToken ? "token in place" : "token expired"}.
        </>
      ) : (
        <span class="muted">{state.message}</span>
      )}
    </p>
  );
}
