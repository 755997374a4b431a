import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { useState } from "preact/hooks";
import type { SCIMConfiguration } from "../../../gen/gitpod/v1/organization_pb.js";
import type { SCIMToken } from "../../../gen/scimservice/v1/scim_credentials_pb.js";
import type { CredentialsClient } from "../api.js";
import { describeError } from "../errors.js";
import { durationOfDays, formatTime } from "../time.js";
import { ConfirmDialog } from "./confirm-dialog.js";
import { LastUse } from "./credential-use.js";
import { ErrorText } from "./field.js";
import { LifetimeSelect } from "./scim-forms.js";
import { TokenDialog } from "./token-dialog.js";
import { usePage } from "./use-page.js";

/** How long the tokens live now keep working after a rotation; the service takes 0 to 7 days. */
export const OVERLAPS: { label: string; seconds: number }[] = [
  { label: "None: the other tokens stop now", seconds: 0 },
  { label: "10 minutes", seconds: 600 },
  { label: "1 hour", seconds: 3600 },
  { label: "1 day", seconds: 86_400 },
  { label: "7 days", seconds: 604_800 },
];
const DEFAULT_OVERLAP_SECONDS = 3600;

export interface TokenListProps {
  scim: SCIMConfiguration;
  credentials: CredentialsClient;
  /** Reloads the console's lists and says what happened. */
  onChanged: (message: string) => void;
  version: number;
}

/**
 * A configuration's live SCIM tokens (prefix, created, expires, overlap end, last use), a
 * rotation with an overlap (the new token is shown once), and revoking one token.
 */
export function TokenList({ scim, credentials, onChanged, version }: TokenListProps) {
  const [overlap, setOverlap] = useState(DEFAULT_OVERLAP_SECONDS);
  const [lifetimeDays, setLifetimeDays] = useState<number>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [shown, setShown] = useState<{ token: string; expiresAt: Timestamp | undefined; overlapEndsAt: Timestamp | undefined }>();
  const [revoking, setRevoking] = useState<SCIMToken>();
  const tokens = usePage(async () => {
    const res = await credentials.listSCIMTokens({ scimConfigurationId: scim.id });
    return { items: res.tokens, nextToken: "" };
  }, [credentials, scim.id, version]);
  const label = scim.name || scim.id;

  const rotate = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const res = await credentials.rotateSCIMToken({
        scimConfigurationId: scim.id,
        overlap: { seconds: BigInt(overlap), nanos: 0 },
        ...(lifetimeDays !== undefined ? { tokenExpiresIn: durationOfDays(lifetimeDays) } : {}),
      });
      setShown({ token: res.token, expiresAt: res.scimToken?.expiresAt, overlapEndsAt: res.overlapEndsAt });
      onChanged(`SCIM token of ${label} rotated.`);
    } catch (err) {
      setError(describeError(err).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="credential-block" data-credentials="tokens">
      <h3>SCIM tokens</h3>
      <ErrorText message={tokens.error} />
      {tokens.result && (
        <table aria-label={`Live SCIM tokens of ${label}`}>
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Created</th>
              <th scope="col">Works until</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.result.items.map((t) => (
              <tr key={t.id} data-token-id={t.id}>
                <td>
                  <code>{t.prefix ? `${t.prefix}…` : "scim_…"}</code>{" "}
                  {t.current ? <span class="badge on">Current</span> : <span class="badge warn">Overlap</span>}
                </td>
                <td>{formatTime(t.createdAt)}</td>
                <td data-ends>{t.overlapEndsAt ? <>Overlap ends {formatTime(t.overlapEndsAt)}</> : formatTime(t.expiresAt)}</td>
                <td>
                  <LastUse use={t.lastUse} />
                </td>
                <td class="actions">
                  <button type="button" class="danger" onClick={() => setRevoking(t)} aria-label={`Revoke token ${t.prefix || t.id}`}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="inline-form" onSubmit={rotate} aria-label={`Rotate the SCIM token of ${label}`}>
        <div class="field" data-field="overlap">
          <label for={`overlap-${scim.id}`}>Keep the current tokens working for</label>
          <select id={`overlap-${scim.id}`} value={String(overlap)} onChange={(e) => setOverlap(Number(e.currentTarget.value))}>
            {OVERLAPS.map((o) => (
              <option value={String(o.seconds)}>{o.label}</option>
            ))}
          </select>
        </div>
        <LifetimeSelect days={lifetimeDays} onChange={setLifetimeDays} allowSame idSuffix={scim.id} label="New token's lifetime" />
        <button type="submit" class="primary" disabled={busy}>
          Rotate token
        </button>
        <ErrorText message={error} />
      </form>
      {revoking && (
        <ConfirmDialog
          name="revoke-token"
          title="Revoke this SCIM token?"
          confirmLabel="Revoke"
          onClose={() => setRevoking(undefined)}
          onConfirm={async () => {
            await credentials.revokeSCIMToken({ scimConfigurationId: scim.id, tokenId: revoking.id });
            setRevoking(undefined);
            onChanged(`SCIM token ${revoking.prefix || revoking.id} of ${label} revoked.`);
          }}
        >
          <p>
            Calls with <code>{revoking.prefix ? `${revoking.prefix}…` : "this token"}</code> fail from now on.
            {revoking.current && " The newest other live token becomes the current one, and still stops when its overlap ends."}
          </p>
        </ConfirmDialog>
      )}
      {shown && (
        <TokenDialog token={shown.token} expiresAt={shown.expiresAt} onClose={() => setShown(undefined)}>
          {shown.overlapEndsAt ? (
            <p data-overlap-note>The previous tokens keep working until {formatTime(shown.overlapEndsAt)}: paste the new one into your identity provider before then.</p>
          ) : (
            <p data-overlap-note>Every previous token stopped working now.</p>
          )}
        </TokenDialog>
      )}
    </div>
  );
}
