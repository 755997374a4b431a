import type { CredentialUse } from "../../../gen/scimservice/v1/scim_credentials_pb.js";
import { formatTime } from "../time.js";

/** A credential's last use: when, from where, by what client; "Never" before the first. */
export function LastUse({ use }: { use: CredentialUse | undefined }) {
  if (!use) return <span class="muted">Never</span>;
  return (
    <span class="last-use" data-last-use>
      <time>{formatTime(use.usedAt)}</time> from <code>{use.clientAddress || "unknown"}</code>
      {use.userAgent && (
        <>
          {" "}
          <span class="muted" title={use.userAgent}>
            ({use.userAgent.length > 40 ? `${use.userAgent.slice(0, 40)}…` : use.userAgent})
          </span>
        </>
      )}
    </span>
  );
}
