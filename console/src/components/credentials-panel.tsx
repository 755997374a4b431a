import type { SCIMConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import type { CredentialsClient } from "../api.js";
import { AllowlistEditor } from "./allowlist-editor.js";
import { ClientSecrets } from "./client-secrets.js";
import { TokenList } from "./token-list.js";

export interface CredentialsPanelProps {
  scim: SCIMConfiguration;
  credentials: CredentialsClient;
  /** `<service>/scim/v2`; the token endpoint is beside it. */
  scimBaseUrl: string;
  onChanged: (message: string) => void;
  version: number;
  columns: number;
}

/** Under a SCIM configuration, on demand: its tokens, its IP allowlist and its OAuth client credentials. */
export function CredentialsPanel({ scim, credentials, scimBaseUrl, onChanged, version, columns }: CredentialsPanelProps) {
  const serviceBaseUrl = scimBaseUrl.replace(/\/scim\/v2$/, "");
  return (
    <tr class="details credentials" data-scim-credentials={scim.id}>
      <td colSpan={columns}>
        <TokenList scim={scim} credentials={credentials} onChanged={onChanged} version={version} />
        <AllowlistEditor scim={scim} credentials={credentials} onChanged={onChanged} version={version} />
        <ClientSecrets scim={scim} credentials={credentials} serviceBaseUrl={serviceBaseUrl} onChanged={onChanged} version={version} />
      </td>
    </tr>
  );
}
