import type { SCIMConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import type { ReadClients } from "../api.js";
import { actionLabel } from "../labels.js";
import { formatTime } from "../time.js";
import { CopyButton } from "./copy-button.js";
import { usePage } from "./use-page.js";

export interface ScimRowDetailsProps {
  scim: SCIMConfiguration;
  /** `<service origin>/scim/v2`: what the identity provider calls with this configuration's token. */
  scimBaseUrl: string;
  events: ReadClients["events"];
  /** Reloads the latest activity after a change. */
  version: number;
  columns: number;
}

/**
 * Under each SCIM configuration: the SCIM base URL to paste into the identity provider, with a
 * Copy button, and the latest thing its identity provider did (its newest audit entry).
 */
export function ScimRowDetails({ scim, scimBaseUrl, events, version, columns }: ScimRowDetailsProps) {
  const latest = usePage(async () => {
    const res = await events.listAuditLogs({ filter: { actorIds: [scim.id] }, pagination: { pageSize: 1 } });
    return { items: res.entries, nextToken: "" };
  }, [events, scim.id, version]);
  const entry = latest.result?.items[0];
  const urlId = `scim-base-url-${scim.id}`;
  return (
    <tr class="details" data-scim-details={scim.id}>
      <td colSpan={columns}>
        <span class="detail">
          <label for={urlId}>SCIM base URL</label>{" "}
          <input id={urlId} class="token" readOnly value={scimBaseUrl} size={Math.min(60, scimBaseUrl.length + 2)} onFocus={(e) => e.currentTarget.select()} />{" "}
          <CopyButton text={scimBaseUrl} label={`Copy the SCIM base URL of ${scim.name || scim.id}`} />
        </span>
        <span class="detail" data-latest-activity>
          Latest provisioning:{" "}
          {latest.error ? <span class="error">{latest.error}</span> : !latest.result ? "…" : entry ? `${actionLabel(entry.action)}, ${formatTime(entry.createdAt)}` : "none yet"}
        </span>
      </td>
    </tr>
  );
}
