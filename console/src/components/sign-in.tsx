import { useState } from "preact/hooks";
import { createOrganizationClient } from "../api.js";
import { describeError, type ShownError } from "../errors.js";
import { baseUrlTarget, defaultBaseUrl, PROTOCOLS, type Protocol, type Session } from "../session.js";
import { Field, FormError } from "./field.js";

const FIELDS = ["base_url", "organization_id", "api_key"];

/**
 * Sign-in with a management API key. The key is checked with one real call (listing SSO
 * configurations needs the organization id and a key of that organization) before it is kept.
 */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [baseUrl, setBaseUrl] = useState(defaultBaseUrl);
  const [organizationId, setOrganizationId] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [protocol, setProtocol] = useState<Protocol>("connect");
  const [error, setError] = useState<ShownError>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const url = normalizeBaseUrl(baseUrl);
    if (url === undefined) return setError({ field: "base_url", message: "Enter an http:// or https:// URL." });
    const target = baseUrlTarget(url);
    if (target.kind === "refused") return setError({ field: "base_url", message: target.message });
    if (organizationId.trim() === "") return setError({ field: "organization_id", message: "Enter your organization id." });
    if (apiKey.trim() === "") return setError({ field: "api_key", message: "Paste a management API key." });
    const session: Session = { baseUrl: url, organizationId: organizationId.trim(), apiKey: apiKey.trim(), protocol };
    setBusy(true);
    try {
      await createOrganizationClient(session).listSSOConfigurations({ organizationId: session.organizationId, pagination: { pageSize: 1 } });
      onSignedIn(session);
    } catch (err) {
      const shown = describeError(err, FIELDS);
      // A key of another organization is refused as permission_denied: that is the id's fault.
      setError(shown.field === undefined && /organization/i.test(shown.message) ? { ...shown, field: "organization_id" } : shown);
      setBusy(false);
    }
  };

  const fieldError = (name: string) => (error?.field === name ? error.message : undefined);
  const typed = normalizeBaseUrl(baseUrl);
  const target = typed === undefined ? undefined : baseUrlTarget(typed);
  return (
    <main class="sign-in">
      <h1 id="main-heading" tabIndex={-1}>
        SCIM configurations
      </h1>
      <p>Sign in with a management API key of your organization. The key is kept in this tab only and is forgotten when you close it.</p>
      <form onSubmit={submit} autoComplete="off" noValidate>
        <Field name="organization_id" label="Organization ID" error={fieldError("organization_id")}>
          {(p) => <input {...p} value={organizationId} onInput={(e) => setOrganizationId(e.currentTarget.value)} autofocus spellcheck={false} />}
        </Field>
        <Field name="api_key" label="Management API key" error={fieldError("api_key")}>
          {(p) => <input {...p} type="password" value={apiKey} onInput={(e) => setApiKey(e.currentTarget.value)} autoComplete="off" />}
        </Field>
        <fieldset>
          <legend>Connection</legend>
          <Field name="base_url" label="Service base URL" error={fieldError("base_url")} hint="The service's address; the page's own origin by default.">
            {(p) => <input {...p} type="url" value={baseUrl} onInput={(e) => setBaseUrl(e.currentTarget.value)} spellcheck={false} />}
          </Field>
          {target?.kind === "other" && <OtherOriginWarning origin={target.origin} />}
          <Field name="protocol" label="Protocol">
            {(p) => (
              <select {...p} value={protocol} onChange={(e) => setProtocol(e.currentTarget.value as Protocol)}>
                {PROTOCOLS.map((o) => (
                  <option value={o.value}>{o.label}</option>
                ))}
              </select>
            )}
          </Field>
        </fieldset>
        <FormError message={error?.field === undefined ? error?.message : undefined} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={busy}>
            Sign in
          </button>
        </div>
      </form>
    </main>
  );
}

function normalizeBaseUrl(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    return url.href.replace(/\/+$/, "");
  } catch {
    return undefined;
  }
}

/** Shown whenever the key would go to another origin than the page's (only to listed ones). */
export function OtherOriginWarning({ origin }: { origin: string }) {
  return (
    <p class="warning" role="alert" data-warning="other-origin">
      Your API key will be sent to <strong>{origin}</strong>, not to this page's origin ({location.origin}).
    </p>
  );
}
