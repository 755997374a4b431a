import { useState } from "preact/hooks";
import type { SCIMConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import type { CreateSCIMClientSecretResponse, SCIMClientSecret } from "../../../gen/scimservice/v1/scim_credentials_pb.js";
import type { CredentialsClient } from "../api.js";
import { describeError } from "../errors.js";
import { DEFAULT_LIFETIME_DAYS, durationOfDays, formatTime } from "../time.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { CopyButton } from "./copy-button.js";
import { LastUse } from "./credential-use.js";
import { Dialog } from "./dialog.js";
import { ErrorText } from "./field.js";
import { LifetimeSelect } from "./scim-forms.js";
import { usePage } from "./use-page.js";

export interface ClientSecretsProps {
  scim: SCIMConfiguration;
  credentials: CredentialsClient;
  /** Scheme, host (and path prefix) of the service: the token endpoint is under it. */
  serviceBaseUrl: string;
  onChanged: (message: string) => void;
  version: number;
}

/**
 * OAuth 2.0 client credentials of a configuration (for identity providers that ask for them,
 * as Microsoft Entra ID's gallery does): the client id and token endpoint to paste, the live
 * secrets with their last use, a new secret shown once, and revoking one (its access tokens end).
 */
export function ClientSecrets({ scim, credentials, serviceBaseUrl, onChanged, version }: ClientSecretsProps) {
  const [days, setDays] = useState<number | undefined>(DEFAULT_LIFETIME_DAYS);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<CreateSCIMClientSecretResponse>();
  const [revoking, setRevoking] = useState<SCIMClientSecret>();
  const secrets = usePage(async () => {
    const res = await credentials.listSCIMClientSecrets({ scimConfigurationId: scim.id });
    return { items: res.secrets, nextToken: "", clientId: res.clientId };
  }, [credentials, scim.id, version]);
  const label = scim.name || scim.id;
  const tokenEndpoint = `${serviceBaseUrl}/oauth2/token`;
  const clientId = secrets.result?.clientId ?? scim.id;

  const create = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setCreated(await credentials.createSCIMClientSecret({ scimConfigurationId: scim.id, secretExpiresIn: durationOfDays(days ?? DEFAULT_LIFETIME_DAYS) }));
      onChanged(`Client secret of ${label} created.`);
    } catch (err) {
      setError(describeError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="credential-block" data-credentials="oauth">
      <h3>OAuth client credentials</h3>
      <p>
        <span class="detail">
          Client ID <code data-client-id>{clientId}</code> <CopyButton text={clientId} label={`Copy the client ID of ${label}`} />
        </span>{" "}
        <span class="detail">
          Token endpoint <code data-token-endpoint>{tokenEndpoint}</code> <CopyButton text={tokenEndpoint} label={`Copy the token endpoint of ${label}`} />
        </span>
      </p>
      <ErrorText message={secrets.error} />
      {secrets.result && secrets.result.items.length === 0 && <p class="empty">No client secrets: identity providers use the SCIM token.</p>}
      {secrets.result && secrets.result.items.length > 0 && (
        <table aria-label={`Client secrets of ${label}`}>
          <thead>
            <tr>
              <th scope="col">Secret</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {secrets.result.items.map((s) => (
              <tr key={s.id} data-secret-id={s.id}>
                <td>
                  <code>{s.prefix}…</code>
                </td>
                <td>{formatTime(s.createdAt)}</td>
                <td>{formatTime(s.expiresAt)}</td>
                <td>
                  <LastUse use={s.lastUse} />
                </td>
                <td class="actions">
                  <button type="button" class="danger" onClick={() => setRevoking(s)} aria-label={`Revoke client secret ${s.prefix}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" onSubmit={create} aria-label={`New client secret of ${label}`}>
        <LifetimeSelect days={days} onChange={setDays} idSuffix={`secret-${scim.id}`} label="Secret lifetime" name="secret_expires_in" />
        <button type="submit" class="primary" disabled={busy}>
          New client secret
        </button>
        <ErrorText message={error} />
      </form>
      {revoking && (
        <ConfirmDialog
          name="revoke-secret"
          title="Revoke this client secret?"
          confirmLabel="Revoke"
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await credentials.revokeSCIMClientSecret({ scimConfigurationId: scim.id, secretId: revoking.id });
            setRevoking(undefined);
            onChanged(`Client secret ${revoking.prefix} of ${label} revoked.`);
          }}
        >
          <p>
            Token requests with <code>{revoking.prefix}…</code> fail from now on, and every access token issued with it stops working at once.
          </p>
        </ConfirmDialog>
      )}
      {created && <ClientSecretDialog created={created} tokenEndpoint={tokenEndpoint} onClose={() => setCreated(undefined)} />}
    </div>
  );
}

/** The only moment a client secret is visible: the service keeps its hash alone. */
function ClientSecretDialog({ created, tokenEndpoint, onClose }: { created: CreateSCIMClientSecretResponse; tokenEndpoint: string; onClose: () => void }) {
  return (
    <Dialog name="client-secret" title="Your new client secret" onClose={onClose}>
      <p class="warning" role="note">
        Copy the secret now and paste it into your identity provider with the client ID and token endpoint. It cannot be shown again.
      </p>
      <label for="one-time-client-secret">Client secret</label>
      <div class="token-row">
        <input id="one-time-client-secret" class="token" readOnly value={created.clientSecret} onFocus={(e) => e.currentTarget.select()} />
        <CopyButton text={created.clientSecret} label="Copy the client secret" />
      </div>
      <p>
        Client ID <code>{created.clientId}</code>, token endpoint <code>{tokenEndpoint}</code>. Expires {formatTime(created.secret?.expiresAt)}.
      </p>
      <div class="buttons">
        <button type="button" autofocus onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
