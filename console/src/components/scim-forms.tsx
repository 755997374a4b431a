import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { useState } from "preact/hooks";
import type { SCIMConfiguration, SSOConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import type { OrganizationClient } from "../api.js";
import { describeError, type ShownError } from "../errors.js";
import { DEFAULT_LIFETIME_DAYS, durationOfDays, LIFETIMES } from "../time.js";
import { Dialog } from "./dialog.js";
import { DialogFormActions, Field } from "./field.js";

/** The token lifetime picker: 1 day to 2 years, the service's range. */
export function LifetimeSelect({
  days,
  onChange,
  allowSame,
  error,
  idSuffix,
  label = "Token lifetime",
  name = "token_expires_in",
}: {
  days: number | undefined;
  onChange: (days: number | undefined) => void;
  allowSame?: boolean;
  error?: string | undefined;
  /** For a picker that appears once per configuration (see Field). */
  idSuffix?: string;
  label?: string;
  /** The request field it sets (server errors naming it are shown here). */
  name?: string;
}) {
  return (
    <Field name={name} label={label} error={error} idSuffix={idSuffix}>
      {(p) => (
        <select {...p} value={days === undefined ? "same" : String(days)} onChange={(e) => onChange(e.currentTarget.value === "same" ? undefined : Number(e.currentTarget.value))}>
          {allowSame && <option value="same">Same as the current token</option>}
          {LIFETIMES.map((l) => (
            <option value={String(l.days)}>{l.label}</option>
          ))}
        </select>
      )}
    </Field>
  );
}

function LinkingSwitch({ checked, onChange }: { checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <div class="field switch" data-field="allow_unverified_email_account_linking">
      <input
        id="field-allow_unverified_email_account_linking"
        type="checkbox"
        role="switch"
        checked={checked}
        onChange={(e) => onChange(e.currentTarget.checked)}
        aria-describedby="linking-hint"
      />
      <label for="field-allow_unverified_email_account_linking">Link to existing accounts with unverified email</label>
      <p class="hint" id="linking-hint">
        Lets SCIM attach provisioned users to existing accounts whose email your identity provider did not mark verified. Leave
        off unless you trust every email in the provider.
      </p>
    </div>
  );
}

const CREATE_FIELDS = ["name", "sso_configuration_id", "token_expires_in"];
const NONE_FREE = "Every SSO configuration already has its SCIM configuration (one each): create another SSO configuration first, or edit the existing SCIM configuration.";
const ALREADY_LINKED = "This SSO configuration already has a SCIM configuration (one each): pick another, or edit or delete the existing one.";

export function CreateScimDialog({
  client,
  organizationId,
  ssoConfigurations: all,
  linkedSsoIds,
  onClose,
  onCreated,
}: {
  client: OrganizationClient;
  organizationId: string;
  ssoConfigurations: SSOConfiguration[];
  /** SSO configurations that already have their one SCIM configuration (unknown: undefined). */
  linkedSsoIds: ReadonlySet<string> | undefined;
  onClose: () => void;
  onCreated: (token: string, expiresAt: Timestamp | undefined, scim: SCIMConfiguration) => void;
}) {
  const ssoConfigurations = all.filter((s) => !linkedSsoIds?.has(s.id));
  const noneFree = all.length > 0 && ssoConfigurations.length === 0;
  const [name, setName] = useState("");
  const [chosen, setSsoId] = useState(ssoConfigurations[0]?.id ?? "");
  // The links may load after the form opened: never submit one that is no longer offered.
  const ssoId = ssoConfigurations.some((s) => s.id === chosen) ? chosen : (ssoConfigurations[0]?.id ?? "");
  const [days, setDays] = useState<number | undefined>(DEFAULT_LIFETIME_DAYS);
  const [linking, setLinking] = useState(false);
  const [error, setError] = useState<ShownError>();
  const [busy, setBusy] = useState(false);
  const fieldError = (f: string) => (error?.field === f ? error.message : undefined);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    if (ssoId === "") {
      const message = noneFree ? NONE_FREE : "Create an SSO configuration first: a SCIM configuration links to one.";
      return setError({ field: "sso_configuration_id", message });
    }
    setBusy(true);
    try {
      const res = await client.createSCIMConfiguration({
        organizationId,
        name: name.trim(),
        ssoConfigurationId: ssoId,
        tokenExpiresIn: durationOfDays(days ?? DEFAULT_LIFETIME_DAYS),
        allowUnverifiedEmailAccountLinking: linking,
      });
      onCreated(res.token, res.tokenExpiresAt, res.scimConfiguration!);
    } catch (err) {
      // One SCIM configuration per SSO configuration: already_exists is about the chosen link
      // (another tab or person may have linked it since this form opened).
      if (err instanceof ConnectError && err.code === Code.AlreadyExists) {
        setError({ field: "sso_configuration_id", message: ALREADY_LINKED });
      } else {
        const shown = describeError(err, CREATE_FIELDS);
        setError(shown.field === undefined && /SSO/i.test(shown.message) ? { ...shown, field: "sso_configuration_id" } : shown);
      }
      setBusy(false);
    }
  };

  return (
    <Dialog name="create-scim" title="New SCIM configuration" onClose={onClose}>
      <form onSubmit={submit} noValidate autoComplete="off">
        <Field name="name" label="Name" error={fieldError("name")}>
          {(p) => <input {...p} value={name} onInput={(e) => setName(e.currentTarget.value)} autofocus />}
        </Field>
        <Field
          name="sso_configuration_id"
          label="SSO configuration"
          error={fieldError("sso_configuration_id")}
          hint={noneFree ? NONE_FREE : "Only SSO configurations without a SCIM configuration are offered: each links at most one."}
        >
          {(p) => (
            <select {...p} value={ssoId} onChange={(e) => setSsoId(e.currentTarget.value)}>
              {all.length === 0 && <option value="">No SSO configurations yet</option>}
              {noneFree && <option value="">Every SSO configuration already has a SCIM configuration</option>}
              {ssoConfigurations.map((s) => (
                <option value={s.id}>{s.displayName || s.issuerUrl}</option>
              ))}
            </select>
          )}
        </Field>
        <LifetimeSelect days={days} onChange={setDays} error={fieldError("token_expires_in")} />
        <LinkingSwitch checked={linking} onChange={setLinking} />
        <DialogFormActions error={error} busy={busy} submitLabel="Create" onCancel={onClose} />
      </form>
    </Dialog>
  );
}

const EDIT_FIELDS = ["name"];

export function EditScimDialog({
  client,
  scim,
  onClose,
  onSaved,
}: {
  client: OrganizationClient;
  scim: SCIMConfiguration;
  onClose: () => void;
  onSaved: (scim: SCIMConfiguration) => void;
}) {
  const [name, setName] = useState(scim.name);
  const [linking, setLinking] = useState(scim.allowUnverifiedEmailAccountLinking);
  const [error, setError] = useState<ShownError>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const res = await client.updateSCIMConfiguration({ scimConfigurationId: scim.id, name: name.trim(), allowUnverifiedEmailAccountLinking: linking });
      onSaved(res.scimConfiguration!);
    } catch (err) {
      setError(describeError(err, EDIT_FIELDS));
      setBusy(false);
    }
  };

  return (
    <Dialog name="edit-scim" title={`Edit ${scim.name || "SCIM configuration"}`} onClose={onClose}>
      <form onSubmit={submit} noValidate autoComplete="off">
        <Field name="name" label="Name" error={error?.field === "name" ? error.message : undefined}>
          {(p) => <input {...p} value={name} onInput={(e) => setName(e.currentTarget.value)} autofocus />}
        </Field>
        <LinkingSwitch checked={linking} onChange={setLinking} />
        <DialogFormActions error={error} busy={busy} submitLabel="Save" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
