import { useState } from "preact/hooks";
import { SSOConfigurationState, type SSOConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import { PAGE_SIZE, type OrganizationClient } from "../api.js";
import { describeError, type ShownError } from "../errors.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { Dialog } from "./dialog.js";
import { DialogFormActions, ErrorText, Field } from "./field.js";
import { Pager, usePager } from "./pager.js";
import { usePage } from "./use-page.js";

export interface SectionProps {
  client: OrganizationClient;
  organizationId: string;
  /** Bumped after every change, so every list reloads. */
  version: number;
  onChanged: (status: string) => void;
}

/** The SSO configurations a SCIM configuration links to: list, create, delete. */
export function SsoSection({ client, organizationId, version, onChanged }: SectionProps) {
  const pager = usePager();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<SSOConfiguration>();
  const page = usePage(async () => {
    const res = await client.listSSOConfigurations({ organizationId, pagination: { pageSize: PAGE_SIZE, token: pager.token } });
    return { items: res.ssoConfigurations, nextToken: res.pagination?.nextToken ?? "" };
  }, [client, organizationId, version, pager.token]);

  return (
    <section aria-labelledby="sso-heading" data-section="sso">
      <div class="section-head">
        <h2 id="sso-heading">SSO configurations</h2>
        <button type="button" class="primary" onClick={() => setCreating(true)}>
          New SSO configuration
        </button>
      </div>
      <ErrorText message={page.error} />
      {page.result && page.result.items.length === 0 && <p class="empty">No SSO configurations yet. A SCIM configuration needs one.</p>}
      {page.result && page.result.items.length > 0 && (
        <table aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Issuer</th>
              <th scope="col">Client ID</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.result.items.map((sso) => (
              <tr key={sso.id} data-sso-id={sso.id}>
                <td>{sso.displayName || <span class="muted">(no name)</span>}</td>
                <td class="wrap">{sso.issuerUrl}</td>
                <td>{sso.clientId}</td>
                <td>{sso.state === SSOConfigurationState.SSO_CONFIGURATION_STATE_ACTIVE ? "Active" : "Inactive"}</td>
                <td class="actions">
                  <button type="button" class="danger" onClick={() => setDeleting(sso)} aria-label={`Delete SSO configuration ${sso.displayName || sso.id}`}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager label="SSO configurations" page={pager.page} nextToken={page.result?.nextToken ?? ""} onNext={() => pager.next(page.result!.nextToken)} onPrevious={pager.previous} />
      {creating && (
        <CreateSsoDialog
          client={client}
          organizationId={organizationId}
          onClose={() => setCreating(false)}
          onCreated={(sso) => {
            setCreating(false);
            onChanged(`SSO configuration ${sso.displayName || sso.id} created.`);
          }}
        />
      )}
      {deleting && (
        <ConfirmDialog
          name="delete-sso"
          title="Delete SSO configuration?"
          confirmLabel="Delete"
          onClose={() => setDeleting(undefined)}
          onConfirm={async () => {
            await client.deleteSSOConfiguration({ ssoConfigurationId: deleting.id });
            setDeleting(undefined);
            onChanged(`SSO configuration ${deleting.displayName || deleting.id} deleted.`);
          }}
        >
          <p>
            <strong>{deleting.displayName || deleting.id}</strong> will be deleted. Members can no longer sign in through it.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

const CREATE_FIELDS = ["display_name", "issuer_url", "client_id", "client_secret", "email_domain"];

function CreateSsoDialog({
  client,
  organizationId,
  onClose,
  onCreated,
}: {
  client: OrganizationClient;
  organizationId: string;
  onClose: () => void;
  onCreated: (sso: SSOConfiguration) => void;
}) {
  const [values, setValues] = useState({ display_name: "", issuer_url: "", client_id: "", client_secret: "", email_domain: "" });
  const [error, setError] = useState<ShownError>();
  const [busy, setBusy] = useState(false);
  const set = (name: keyof typeof values) => (e: { currentTarget: HTMLInputElement }) => setValues({ ...values, [name]: e.currentTarget.value });
  const fieldError = (name: string) => (error?.field === name ? error.message : undefined);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await client.createSSOConfiguration({
        organizationId,
        displayName: values.display_name.trim(),
        issuerUrl: values.issuer_url.trim(),
        clientId: values.client_id.trim(),
        clientSecret: values.client_secret,
        ...(values.email_domain.trim() !== "" ? { emailDomain: values.email_domain.trim() } : {}),
      });
      onCreated(res.ssoConfiguration!);
    } catch (err) {
      setError(describeError(err, CREATE_FIELDS));
      setBusy(false);
    }
  };

  return (
    <Dialog name="create-sso" title="New SSO configuration" onClose={onClose}>
      <form onSubmit={submit} noValidate autoComplete="off">
        <Field name="display_name" label="Name" error={fieldError("display_name")}>
          {(p) => <input {...p} value={values.display_name} onInput={set("display_name")} autofocus maxLength={128} />}
        </Field>
        <Field name="issuer_url" label="Issuer URL" error={fieldError("issuer_url")} hint="Your identity provider's OpenID issuer, e.g. https://example.okta.com">
          {(p) => <input {...p} type="url" value={values.issuer_url} onInput={set("issuer_url")} spellcheck={false} />}
        </Field>
        <Field name="client_id" label="Client ID" error={fieldError("client_id")}>
          {(p) => <input {...p} value={values.client_id} onInput={set("client_id")} spellcheck={false} />}
        </Field>
        <Field name="client_secret" label="Client secret" error={fieldError("client_secret")} hint="Write-only: it is never shown again.">
          {(p) => <input {...p} type="password" value={values.client_secret} onInput={set("client_secret")} autoComplete="new-password" />}
        </Field>
        <Field name="email_domain" label="Email domain (optional)" error={fieldError("email_domain")}>
          {(p) => <input {...p} value={values.email_domain} onInput={set("email_domain")} spellcheck={false} />}
        </Field>
        <DialogFormActions error={error} busy={busy} submitLabel="Create" onCancel={onClose} />
      </form>
    </Dialog>
  );
}
