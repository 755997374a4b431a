import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { useRef, useState } from "preact/hooks";
import type { SCIMConfiguration, SSOConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import { PAGE_SIZE, type CredentialsClient, type ReadClients } from "../api.js";
import { describeError } from "../errors.js";
import { expiryState, formatTime } from "../time.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { CredentialsPanel } from "./credentials-panel.js";
import { ErrorText } from "./field.js";
import { CreateScimDialog, EditScimDialog, LifetimeSelect } from "./scim-forms.js";
import { Pager, usePager } from "./pager.js";
import { ScimRowDetails } from "./scim-row-details.js";
import type { SectionProps } from "./sso-section.js";
import { TokenDialog } from "./token-dialog.js";
import { usePage } from "./use-page.js";

type Modal =
  | { kind: "create" }
  | { kind: "edit"; scim: SCIMConfiguration }
  | { kind: "regenerate"; scim: SCIMConfiguration }
  | { kind: "delete"; scim: SCIMConfiguration }
  | { kind: "token"; token: string; expiresAt: Timestamp | undefined };

/** What the rows under each configuration need: the SCIM base URL, the audit trail and the credentials service. */
export interface ScimDetailsProps {
  scimBaseUrl: string;
  events: ReadClients["events"];
  credentials: CredentialsClient;
}

/**
 * SCIM configurations: list, create (token shown once), edit, enable/disable, regenerate, delete;
 * under each, the SCIM base URL with a Copy button and its latest provisioning activity.
 */
export function ScimSection({
  client,
  version,
  onChanged,
  ssoConfigurations,
  linkedSsoIds,
  organizationId,
  scimBaseUrl,
  events,
  credentials,
}: SectionProps & ScimDetailsProps & { ssoConfigurations: SSOConfiguration[]; linkedSsoIds: ReadonlySet<string> | undefined }) {
  const pager = usePager();
  const [modal, setModalState] = useState<Modal>();
  // The button that started a create or regenerate flow: the token dialog hands focus back to it.
  const flowOpener = useRef<HTMLElement | null>(null);
  const setModal = (next: Modal | undefined) => {
    if (!modal && next && document.activeElement instanceof HTMLElement) flowOpener.current = document.activeElement;
    setModalState(next);
  };
  const [rowError, setRowError] = useState<{ id: string; message: string }>();
  const [regenerateDays, setRegenerateDays] = useState<number>();
  // Configurations whose credentials panel is open (tokens, allowlist, client secrets).
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggleCredentials = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const page = usePage(async () => {
    const res = await client.listSCIMConfigurations({ pagination: { pageSize: PAGE_SIZE, token: pager.token } });
    return { items: res.scimConfigurations, nextToken: res.pagination?.nextToken ?? "" };
  }, [client, version, pager.token]);
  const ssoName = (id: string) => {
    const sso = ssoConfigurations.find((s) => s.id === id);
    return sso ? sso.displayName || sso.issuerUrl : id;
  };
  const label = (scim: SCIMConfiguration) => scim.name || scim.id;

  const toggle = async (scim: SCIMConfiguration) => {
    setRowError(undefined);
    try {
      await client.updateSCIMConfiguration({ scimConfigurationId: scim.id, enabled: !scim.enabled });
      onChanged(`SCIM configuration ${label(scim)} ${scim.enabled ? "disabled" : "enabled"}.`);
    } catch (err) {
      setRowError({ id: scim.id, message: describeError(err).message });
    }
  };

  return (
    <section aria-labelledby="scim-heading" data-section="scim">
      <div class="section-head">
        <h2 id="scim-heading">SCIM configurations</h2>
        <button type="button" class="primary" onClick={() => setModal({ kind: "create" })}>
          New SCIM configuration
        </button>
      </div>
      <ErrorText message={page.error} />
      {page.result && page.result.items.length === 0 && <p class="empty">No SCIM configurations yet.</p>}
      {page.result && page.result.items.length > 0 && (
        <table aria-busy={page.loading}>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">SSO configuration</th>
              <th scope="col">Status</th>
              <th scope="col">Token expires</th>
              <th scope="col">Unverified email linking</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {page.result.items.map((scim) => [
              <tr key={scim.id} data-scim-id={scim.id}>
                <td>{scim.name || <span class="muted">(no name)</span>}</td>
                <td>{ssoName(scim.ssoConfigurationId)}</td>
                <td>
                  <span class={scim.enabled ? "badge on" : "badge off"}>{scim.enabled ? "Enabled" : "Disabled"}</span>
                </td>
                <td>
                  <Expiry expiresAt={scim.tokenExpiresAt} />
                </td>
                <td>{scim.allowUnverifiedEmailAccountLinking ? "Allowed" : "Off"}</td>
                <td class="actions">
                  <button type="button" onClick={() => setModal({ kind: "edit", scim })} aria-label={`Edit ${label(scim)}`}>
                    Edit
                  </button>
                  <button type="button" onClick={() => toggle(scim)} aria-label={`${scim.enabled ? "Disable" : "Enable"} ${label(scim)}`}>
                    {scim.enabled ? "Disable" : "Enable"}
                  </button>
                  <button type="button" onClick={() => toggleCredentials(scim.id)} aria-expanded={open.has(scim.id)} aria-label={`Credentials of ${label(scim)}`}>
                    Credentials
                  </button>
                  <button type="button" onClick={() => setModal({ kind: "regenerate", scim })} aria-label={`Regenerate token of ${label(scim)}`}>
                    Regenerate token
                  </button>
                  <button type="button" class="danger" onClick={() => setModal({ kind: "delete", scim })} aria-label={`Delete ${label(scim)}`}>
                    Delete
                  </button>
                  <ErrorText message={rowError?.id === scim.id ? rowError.message : undefined} />
                </td>
              </tr>,
              <ScimRowDetails key={`${scim.id}-details`} scim={scim} scimBaseUrl={scimBaseUrl} events={events} version={version} columns={6} />,
              open.has(scim.id) && (
                <CredentialsPanel key={`${scim.id}-credentials`} scim={scim} credentials={credentials} scimBaseUrl={scimBaseUrl} onChanged={onChanged} version={version} columns={6} />
              ),
            ])}
          </tbody>
        </table>
      )}
      <Pager label="SCIM configurations" page={pager.page} nextToken={page.result?.nextToken ?? ""} onNext={() => pager.next(page.result!.nextToken)} onPrevious={pager.previous} />

      {modal?.kind === "create" && (
        <CreateScimDialog
          client={client}
          organizationId={organizationId}
          ssoConfigurations={ssoConfigurations}
          linkedSsoIds={linkedSsoIds}
          onClose={() => setModal(undefined)}
          onCreated={(token, expiresAt, scim) => {
            setModal({ kind: "token", token, expiresAt });
            onChanged(`SCIM configuration ${label(scim)} created.`);
          }}
        />
      )}
      {modal?.kind === "edit" && (
        <EditScimDialog
          client={client}
          scim={modal.scim}
          onClose={() => setModal(undefined)}
          onSaved={(scim) => {
            setModal(undefined);
            onChanged(`SCIM configuration ${label(scim)} saved.`);
          }}
        />
      )}
      {modal?.kind === "regenerate" && (
        <ConfirmDialog
          name="regenerate"
          title="Regenerate the SCIM token?"
          confirmLabel="Regenerate"
          onClose={() => setModal(undefined)}
          onConfirm={async () => {
            const res = await client.regenerateSCIMToken({
              scimConfigurationId: modal.scim.id,
              ...(regenerateDays !== undefined ? { tokenExpiresIn: { seconds: BigInt(regenerateDays * 86_400), nanos: 0 } } : {}),
            });
            setRegenerateDays(undefined);
            setModal({ kind: "token", token: res.token, expiresAt: res.tokenExpiresAt });
            onChanged(`SCIM token of ${label(modal.scim)} regenerated.`);
          }}
        >
          <p>
            Every token of <strong>{label(modal.scim)}</strong> stops working at once. Provisioning fails until you paste the new
            token into your identity provider. To switch without a gap, rotate with an overlap under Credentials instead.
          </p>
          <LifetimeSelect days={regenerateDays} onChange={setRegenerateDays} allowSame />
        </ConfirmDialog>
      )}
      {modal?.kind === "delete" && (
        <ConfirmDialog
          name="delete-scim"
          title="Delete SCIM configuration?"
          confirmLabel="Delete"
          onClose={() => setModal(undefined)}
          onConfirm={async () => {
            await client.deleteSCIMConfiguration({ scimConfigurationId: modal.scim.id });
            setModal(undefined);
            onChanged(`SCIM configuration ${label(modal.scim)} deleted.`);
          }}
        >
          <p>
            <strong>{label(modal.scim)}</strong> will be deleted and its token stops working. Your identity provider can no longer
            provision users.
          </p>
        </ConfirmDialog>
      )}
      {modal?.kind === "token" && <TokenDialog token={modal.token} expiresAt={modal.expiresAt} onClose={() => setModal(undefined)} returnFocus={flowOpener.current} />}
    </section>
  );
}

function Expiry({ expiresAt }: { expiresAt: Timestamp | undefined }) {
  const state = expiryState(expiresAt);
  return (
    <span class="expiry">
      <time>{formatTime(expiresAt)}</time>
      {state.kind === "soon" && (
        <span class="badge warn" data-expiry="soon">
          Expires in {state.days} {state.days === 1 ? "day" : "days"}: regenerate soon
        </span>
      )}
      {state.kind === "expired" && (
        <span class="badge danger" data-expiry="expired">
          Expired: regenerate to resume provisioning
        </span>
      )}
    </span>
  );
}
