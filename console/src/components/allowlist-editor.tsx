import { useEffect, useState } from "preact/hooks";
import type { SCIMConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import type { CredentialsClient } from "../api.js";
import { describeError } from "../errors.js";

export interface AllowlistEditorProps {
  scim: SCIMConfiguration;
  credentials: CredentialsClient;
  onChanged: (message: string) => void;
  version: number;
}

/**
 * The configuration's IP allowlist, one CIDR per line (empty: any address). The service checks
 * and normalises it; a bad line comes back named ("cidrs[2] ... has host bits set ...").
 */
export function AllowlistEditor({ scim, credentials, onChanged, version }: AllowlistEditorProps) {
  const [text, setText] = useState<string>();
  const [saved, setSaved] = useState<string[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = `allowlist-${scim.id}`;
  useEffect(() => {
    let current = true;
    credentials.getSCIMIPAllowlist({ scimConfigurationId: scim.id }).then(
      (res) => {
        if (!current) return;
        setSaved(res.cidrs);
        setText(res.cidrs.join("\n"));
      },
      (err: unknown) => current && setError(describeError(err).message),
    );
    return () => {
      current = false;
    };
  }, [credentials, scim.id, version]);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const cidrs = (text ?? "").split(/[\n,]/).map((s) => s.trim()).filter((s) => s !== "");
      const res = await credentials.setSCIMIPAllowlist({ scimConfigurationId: scim.id, cidrs });
      setSaved(res.cidrs);
      setText(res.cidrs.join("\n"));
      onChanged(res.cidrs.length === 0 ? `${scim.name || scim.id} accepts its credentials from any address.` : `IP allowlist of ${scim.name || scim.id} saved (${res.cidrs.length}).`);
    } catch (err) {
      setError(describeError(err, ["cidrs"]).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="credential-block" data-credentials="allowlist">
      <h3>IP allowlist</h3>
      <form onSubmit={save}>
        <div class="field" data-field="cidrs">
          <label for={id}>Networks the identity provider calls from</label>
          <textarea
            id={id}
            rows={Math.min(8, Math.max(3, (text ?? "").split("\n").length + 1))}
            value={text ?? ""}
            disabled={text === undefined}
            placeholder={"203.0.113.0/24\n2001:db8::/32"}
            aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
            aria-invalid={error !== undefined}
            onInput={(e) => setText(e.currentTarget.value)}
          />
          <p class="hint" id={`${id}-hint`}>
            One CIDR per line, IPv4 or IPv6 (at most 100). Empty: any address. A token or client secret used from elsewhere is refused with 403, and
            the refusal is recorded in the activity.
          </p>
          {error && (
            <p class="error" id={`${id}-error`} role="alert">
              {error}
            </p>
          )}
        </div>
        <div class="buttons">
          <span class="muted" data-allowlist-state>
            {saved === undefined ? "…" : saved.length === 0 ? "Now: any address" : `Now: ${saved.length} network${saved.length === 1 ? "" : "s"}`}
          </span>
          <button type="submit" class="primary" disabled={busy || text === undefined}>
            Save allowlist
          </button>
        </div>
      </form>
    </div>
  );
}
